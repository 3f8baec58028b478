using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>A campaign's moves while it sends, its progress, and its completion when nothing is left to send.</summary>
public sealed class Pausing_resuming_and_cancelling_a_campaign(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Pauses_resumes_and_completes_with_progress_counting_what_the_pipeline_sent()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contacts = Enumerable.Range(0, 4).Select(_ => EmailClient.Contact()).Append(EmailClient.Contact(consent: false)).ToArray();
        await app.Contacts(tenant, contacts);
        var id = await client.ReadyCampaignAsync(await app.TemplateAsync(tenant),
            $$"""{"contact_ids":[{{string.Join(",", contacts.Select(c => $"\"{c.Id}\""))}}]}""");
        await client.PostJson($"/api/email/campaigns/{id}/pause", "", HttpStatusCode.Conflict);
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);

        var paused = await client.PostJson($"/api/email/campaigns/{id}/pause", "", HttpStatusCode.OK);
        Assert.Equal("paused", paused.Str("status"));
        await client.PostJson($"/api/email/campaigns/{id}/pause", "", HttpStatusCode.Conflict);
        // What the pipeline does: two sent (in the last minute), one failed.
        await app.ExecuteAsync("""
            update email.email_jobs set status = 'sent', sent_at = now() - interval '1 second'
             where id in (select id from email.email_jobs where campaign_id = $1 and status = 'queued' order by id limit 2)
            """, id);
        await app.ExecuteAsync("""
            update email.email_jobs set status = 'failed', error_code = '406'
             where id in (select id from email.email_jobs where campaign_id = $1 and status = 'queued' order by id limit 1)
            """, id);
        var progress = await client.GetJson($"/api/email/campaigns/{id}/progress");
        Assert.Equal((5, 1, 2, 1, 1, 0), (progress.Int("total"), progress.Int("queued"), progress.Int("sent"), progress.Int("failed"),
            progress.Int("suppressed"), progress.Int("cancelled")));
        Assert.True(progress.GetProperty("rate").GetDouble() > 0);
        Assert.True(progress.GetProperty("eta_seconds").GetDouble() > 0);
        // Paused, it does not complete although the scheduler runs.
        Assert.Equal("paused", progress.Str("status"));

        Assert.Equal("sending", (await client.PostJson($"/api/email/campaigns/{id}/resume", "", HttpStatusCode.OK)).Str("status"));
        await client.PostJson($"/api/email/campaigns/{id}/resume", "", HttpStatusCode.Conflict);
        await app.ExecuteAsync("update email.email_jobs set status = 'sent', sent_at = now() where campaign_id = $1 and status = 'queued'", id);
        var done = await Eventually.Until(() => client.GetJson($"/api/email/campaigns/{id}"), c => c.Str("status") == "sent", TimeSpan.FromSeconds(30),
            "the scheduler marks the campaign sent once nothing is queued");
        Assert.NotEqual(System.Text.Json.JsonValueKind.Null, done.GetProperty("completed_at").ValueKind);
        progress = await client.GetJson($"/api/email/campaigns/{id}/progress");
        Assert.Equal((0, 3, 0.0), (progress.Int("queued"), progress.Int("sent"), progress.GetProperty("eta_seconds").GetDouble()));
        await client.PostJson($"/api/email/campaigns/{id}/cancel", "", HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Cancelling_cancels_the_emails_not_sent_yet_and_keeps_those_sent()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contacts = Enumerable.Range(0, 3).Select(_ => EmailClient.Contact()).ToArray();
        await app.Contacts(tenant, contacts);
        var id = await client.ReadyCampaignAsync(await app.TemplateAsync(tenant),
            $$"""{"contact_ids":[{{string.Join(",", contacts.Select(c => $"\"{c.Id}\""))}}]}""");
        await client.PostJson($"/api/email/campaigns/{id}/cancel", "", HttpStatusCode.Conflict);
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);
        await app.ExecuteAsync("""
            update email.email_jobs set status = 'sent', sent_at = now()
             where id in (select id from email.email_jobs where campaign_id = $1 order by id limit 1)
            """, id);

        var cancelled = await client.PostJson($"/api/email/campaigns/{id}/cancel", "", HttpStatusCode.OK);
        Assert.Equal("cancelled", cancelled.Str("status"));
        var progress = await client.GetJson($"/api/email/campaigns/{id}/progress");
        Assert.Equal((0, 1, 2), (progress.Int("queued"), progress.Int("sent"), progress.Int("cancelled")));
        await client.PostJson($"/api/email/campaigns/{id}/resume", "", HttpStatusCode.Conflict);
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.Conflict);
        Assert.Equal(HttpStatusCode.Conflict, (await client.DeleteAsync($"/api/email/campaigns/{id}")).StatusCode);
    }
}
