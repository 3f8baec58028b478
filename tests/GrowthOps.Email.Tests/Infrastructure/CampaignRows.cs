namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>A campaign and its fanned-out emails written straight into Email's tables, as the campaigns API leaves them.</summary>
public static class CampaignRows
{
    /// <summary>A template (version 1) and a campaign in <paramref name="status"/> using it; returns the campaign's id.</summary>
    public static async Task<Guid> CampaignAsync(this EmailApp app, Guid tenant, string subject, string html, string status = "sending",
        string name = "Winter news", string from = "news@growthops.test")
    {
        var template = Guid.NewGuid();
        var campaign = Guid.NewGuid();
        await app.Database.ScalarAsync<int>("""
            with t as (insert into email.templates (tenant_id, id, name, subject, html, text) values ($1, $2, 'T', $4, $5, null) returning 1),
                 v as (insert into email.template_versions (tenant_id, template_id, version, subject, html, text)
                       select $1, $2, 1, $4, $5, null from t returning 1)
            insert into email.campaigns (tenant_id, id, name, status, from_email, subject, template_id, template_version)
            select $1, $3, $6, $7, $8, null, $2, 1 from v
            returning 1
            """, tenant, template, campaign, subject, html, name, status, from);
        return campaign;
    }

    /// <summary>One marketing email of the campaign per contact (lane 1), as the fan-out writes them.</summary>
    public static Task<int> FanOutAsync(this EmailApp app, Guid tenant, Guid campaign, params Guid[] contacts) =>
        app.Database.ScalarAsync<int>("""
            with inserted as (
              insert into email.email_jobs (tenant_id, id, lane, campaign_id, contact_id, to_email, category)
              select $1, gen_random_uuid(), 1, $2, r.contact_id, r.email, 'marketing'
                from email.recipients r where r.tenant_id = $1 and r.contact_id = any($3)
              returning 1)
            select count(*)::int from inserted
            """, tenant, campaign, contacts);

    public static Task<long> JobsAsync(this EmailApp app, Guid campaign, string status) =>
        app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1 and status = $2", campaign, status);
}
