namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>A campaign and its fanned-out emails written straight into Email's tables, as the campaigns API leaves them.</summary>
public static class CampaignRows
{
    /// <summary>A template (version 1) and a draft campaign using it; returns the campaign's id.</summary>
    public static async Task<Guid> CampaignAsync(this EmailApp app, Guid tenant, string subject, string html,
        string name = "Winter news", string from = "news@growthops.test")
    {
        var template = Guid.NewGuid();
        var campaign = Guid.NewGuid();
        await app.Database.ScalarAsync<int>("""
            with t as (insert into email.templates (tenant_id, id, name, subject, html, text) values ($1, $2, 'T', $4, $5, null) returning 1),
                 v as (insert into email.template_versions (tenant_id, template_id, version, subject, html, text)
                       select $1, $2, 1, $4, $5, null from t returning 1)
            insert into email.campaigns (tenant_id, id, name, status, from_email, subject, template_id, template_version)
            select $1, $3, $6, 'draft', $7, null, $2, 1 from v
            returning 1
            """, tenant, template, campaign, subject, html, name, from);
        return campaign;
    }

    /// <summary>
    /// One marketing email of the campaign per contact (lane 1) and the campaign in <paramref name="status"/>, in one statement
    /// as the fan-out does it (a sending campaign with no emails would be completed at once).
    /// </summary>
    public static Task<int> FanOutAsync(this EmailApp app, Guid tenant, Guid campaign, Guid[] contacts, string status = "sending") =>
        app.Database.ScalarAsync<int>("""
            with inserted as (
              insert into email.email_jobs (tenant_id, id, lane, campaign_id, contact_id, to_email, category)
              select $1, gen_random_uuid(), 1, $2, r.contact_id, r.email, 'marketing'
                from email.recipients r where r.tenant_id = $1 and r.contact_id = any($3)
              returning 1),
            moved as (update email.campaigns set status = $4 where tenant_id = $1 and id = $2 returning 1)
            select count(*)::int from inserted, (select count(*) from moved) m
            """, tenant, campaign, contacts, status);

    public static Task<long> JobsAsync(this EmailApp app, Guid campaign, string status) =>
        app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1 and status = $2", campaign, status);
}
