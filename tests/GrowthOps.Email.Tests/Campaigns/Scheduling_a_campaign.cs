using System.Globalization;
using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>A campaign scheduled for an instant fans out when it is due, from the schedule stored in its row; unscheduled, it never does.</summary>
public sealed class Scheduling_a_campaign(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Fans_out_when_due_and_an_unscheduled_one_stays_a_draft()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var template = await app.TemplateAsync(tenant);
        var audience = $$"""{"contact_ids":["{{contact.Id}}"]}""";
        var withdrawn = await client.ReadyCampaignAsync(template, audience, "Withdrawn");
        var scheduled = await client.ReadyCampaignAsync(template, audience, "Scheduled");

        await client.PostJson($"/api/email/campaigns/{withdrawn}/schedule", $$"""{"send_at":"{{Iso(DateTimeOffset.UtcNow.AddSeconds(1))}}"}""",
            HttpStatusCode.OK);
        var unscheduled = await client.PostJson($"/api/email/campaigns/{withdrawn}/unschedule", "", HttpStatusCode.OK);
        Assert.Equal("draft", unscheduled.Str("status"));
        var sendAt = DateTimeOffset.UtcNow.AddSeconds(2);
        var answer = await client.PostJson($"/api/email/campaigns/{scheduled}/schedule", $$"""{"send_at":"{{Iso(sendAt)}}"}""", HttpStatusCode.OK);
        Assert.Equal("scheduled", answer.Str("status"));
        Assert.Equal(0, await Jobs(scheduled));
        // A scheduled campaign is not edited (unschedule it first) and is scheduled again only from draft or scheduled.
        await client.PutJson($"/api/email/campaigns/{scheduled}/audience", """{"all_consenting":true}""", HttpStatusCode.Conflict);

        var sent = await Eventually.Until(() => client.GetJson($"/api/email/campaigns/{scheduled}"), c => c.Str("status") == "sending",
            TimeSpan.FromSeconds(30), "the scheduled campaign fans out when due");
        Assert.True(sent.GetProperty("started_at").GetDateTimeOffset() >= sendAt.AddMilliseconds(-1));
        Assert.Equal(1, await Jobs(scheduled));
        // The withdrawn one was due earlier: the scheduler, which takes the most overdue first, left it alone.
        Assert.Equal("draft", (await client.GetJson($"/api/email/campaigns/{withdrawn}")).Str("status"));
        Assert.Equal(0, await Jobs(withdrawn));
    }

    [Fact]
    public async Task Refuses_a_time_in_the_past_an_unknown_zone_and_a_request_with_both_kinds_of_time()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = EmailClient.Contact();
        await app.Contacts(tenant, contact);
        var id = await client.ReadyCampaignAsync(await app.TemplateAsync(tenant), $$"""{"contact_ids":["{{contact.Id}}"]}""");
        var path = $"/api/email/campaigns/{id}/schedule";

        await client.PostJson(path, $$"""{"send_at":"{{Iso(DateTimeOffset.UtcNow.AddMinutes(-1))}}"}""", HttpStatusCode.UnprocessableEntity);
        await client.PostJson(path, """{"local_time":"09:00","date":"2020-01-01","fallback_timezone":"Europe/Paris"}""", HttpStatusCode.UnprocessableEntity);
        await client.PostJson(path, """{"local_time":"09:00","date":"2030-01-01","fallback_timezone":"Mars/Olympus"}""", HttpStatusCode.UnprocessableEntity);
        await client.PostJson(path, """{"local_time":"9 am","date":"2030-01-01","fallback_timezone":"Europe/Paris"}""", HttpStatusCode.BadRequest);
        await client.PostJson(path, $$"""{"send_at":"{{Iso(DateTimeOffset.UtcNow.AddDays(1))}}","local_time":"09:00"}""", HttpStatusCode.BadRequest);
        await client.PostJson($"/api/email/campaigns/{id}/unschedule", "", HttpStatusCode.Conflict);
        Assert.Equal("draft", (await client.GetJson($"/api/email/campaigns/{id}")).Str("status"));
    }

    Task<long> Jobs(Guid campaign) => app.Database.ScalarAsync<long>("select count(*) from email.email_jobs where campaign_id = $1", campaign);

    static string Iso(DateTimeOffset at) => at.ToString("O", CultureInfo.InvariantCulture);
}
