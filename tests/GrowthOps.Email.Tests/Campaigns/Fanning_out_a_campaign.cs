using System.Diagnostics;
using System.Net;
using GrowthOps.Email.Data;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>A send's fan-out: one email_jobs row per recipient, in one statement, that a repeat never doubles.</summary>
public sealed class Fanning_out_a_campaign(CampaignsApp app, ITestOutputHelper output) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Records_the_suppressed_and_non_consenting_as_suppressed_and_a_retried_fan_out_adds_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (ok, suppressed, noConsent, noEmail) = (EmailClient.Contact(), EmailClient.Contact(), EmailClient.Contact(consent: false),
            EmailClient.Contact() with { Email = null });
        await app.Contacts(tenant, ok, suppressed, noConsent, noEmail);
        await app.SuppressAsync(tenant, suppressed.Email!);
        var template = await app.TemplateAsync(tenant);
        var id = await client.ReadyCampaignAsync(template, $$"""{"contact_ids":["{{ok.Id}}","{{suppressed.Id}}","{{noConsent.Id}}","{{noEmail.Id}}"]}""");

        var sending = await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);
        Assert.Equal(3, sending.Int("recipients_total"));
        Assert.Equal("queued", await JobStatus(id, ok.Id));
        Assert.Equal("suppressed:suppressed", await JobStatus(id, suppressed.Id));
        Assert.Equal("suppressed:no_consent", await JobStatus(id, noConsent.Id));

        // The fan-out again, as a retry would run it: the unique index on (campaign, contact) keeps every row single.
        var added = await app.InTenantAsync(tenant, async services =>
        {
            var campaign = (await services.GetRequiredService<CampaignsStore>().GetAsync(id, CancellationToken.None))!;
            return await services.GetRequiredService<CampaignJobsStore>().FanOutAsync(campaign, 1, DateTimeOffset.UtcNow, "retry", CancellationToken.None);
        });
        Assert.Equal(0, added);
        Assert.Equal(3, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", id));
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.Conflict);
        Assert.Equal(3, await app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", id));
    }

    [Fact]
    public async Task Fans_twenty_thousand_recipients_of_a_segment_out_in_one_statement()
    {
        const int recipients = 20_000;
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var segment = Guid.NewGuid();
        // The read model filled directly (its consumers are tested on their own): 20k consenting recipients in a segment,
        // every 100th suppressed, and 5k recipients of the tenant outside it.
        await app.ExecuteAsync("""
            insert into email.recipients (tenant_id, contact_id, version, email, first_name, marketing_consent, updated_at)
            select $1, gen_random_uuid(), 1, 'r' || i || '@' || $2 || '.example', 'R' || i, true, now() from generate_series(1, $3 + 5000) i
            """, tenant, Guid.NewGuid().ToString("N"), recipients);
        await app.ExecuteAsync("""
            insert into email.segment_members (tenant_id, segment_id, contact_id, member, changed_at)
            select tenant_id, $2, contact_id, true, now() from email.recipients where tenant_id = $1 order by contact_id limit $3
            """, tenant, segment, recipients);
        await app.ExecuteAsync("""
            insert into email.suppressions (tenant_id, email, reason)
            select r.tenant_id, lower(r.email), 'manual' from email.recipients r join email.segment_members m using (tenant_id, contact_id)
             where r.tenant_id = $1 and m.segment_id = $2 and r.first_name like '%00'
            """, tenant, segment);
        await app.ExecuteAsync("analyze email.recipients");
        await app.ExecuteAsync("analyze email.segment_members");
        var suppressed = await app.Database.ScalarAsync<long>("select count(*) from email.suppressions where tenant_id = $1", tenant);
        var template = await app.TemplateAsync(tenant);
        var id = await client.ReadyCampaignAsync(template, $$"""{"include_segments":["{{segment}}"]}""");
        var counts = await client.GetJson($"/api/email/campaigns/{id}/audience/count");
        Assert.Equal(recipients, counts.Int("total"));
        Assert.Equal(suppressed, counts.Int("suppressed"));

        var started = Stopwatch.GetTimestamp();
        var sending = await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);
        var elapsed = Stopwatch.GetElapsedTime(started);
        output.WriteLine($"POST /send of {recipients} recipients (checks, fan-out, commit): {elapsed.TotalMilliseconds:F0} ms");

        Assert.Equal(recipients, sending.Int("recipients_total"));
        Assert.Equal(recipients - suppressed, await app.Database.ScalarAsync<long>(
            "select count(*) from email.email_jobs where campaign_id = $1 and status = 'queued'", id));
        Assert.Equal(recipients, await app.Database.ScalarAsync<long>("select count(distinct contact_id) from email.email_jobs where campaign_id = $1", id));
        // The planner knows of the new rows before the first batch is claimed (stale statistics planned every batch's
        // record step as a scan of the whole tenant).
        Assert.True(await app.Database.ScalarAsync<float>("select reltuples from pg_class where oid = 'email.email_jobs'::regclass") >= recipients,
            "the fan-out left the jobs table's statistics as they were");
        // Loose: the machines are shared (1.8 s alone, up to 15 s under a load average of 20); a row-at-a-time fan-out would take minutes.
        Assert.True(elapsed < TimeSpan.FromSeconds(60), $"the fan-out took {elapsed}");
    }

    Task<string> JobStatus(Guid campaign, Guid contact) => app.Database.ScalarAsync<string>(
        "select status || coalesce(':' || error_code, '') from email.email_jobs where campaign_id = $1 and contact_id = $2", campaign, contact);
}
