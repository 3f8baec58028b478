using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>
/// "At 9:00 in each recipient's time zone": the fan-out comes when the earliest zone's 9:00 does, and every email waits for its
/// own recipient's 9:00 (not_before), daylight saving time included. The app's clock is a fake one the test moves.
/// </summary>
public sealed class Sending_at_a_local_time_in_each_recipients_zone(ClockedCampaignsApp app) : IClassFixture<ClockedCampaignsApp>
{
    [Fact]
    public async Task Gives_each_email_its_recipients_nine_o_clock_on_the_day_europe_moves_its_clocks_forward()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var paris = EmailClient.Contact(timezone: "Europe/Paris");
        var london = EmailClient.Contact(timezone: "Europe/London");
        var newYork = EmailClient.Contact(timezone: "america/new_york");
        var unknown = EmailClient.Contact(timezone: "Mars/Olympus");
        var none = EmailClient.Contact(timezone: null);
        await app.Contacts(tenant, paris, london, newYork, unknown, none);
        var segment = await app.SegmentAsync(tenant, paris.Id, london.Id, newYork.Id, unknown.Id, none.Id);
        var id = await client.ReadyCampaignAsync(await app.TemplateAsync(tenant), $$"""{"include_segments":["{{segment}}"]}""");
        app.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 27, 12, 0, 0, TimeSpan.Zero));

        // Sunday 28 March 2027: Europe changes to summer time at 01:00 UTC; New York did on 14 March.
        var scheduled = await client.PostJson($"/api/email/campaigns/{id}/schedule",
            """{"local_time":"09:00","date":"2027-03-28","fallback_timezone":"Asia/Tokyo"}""", HttpStatusCode.OK);
        Assert.Equal("scheduled", scheduled.Str("status"));
        // The earliest 9:00 is Tokyo's (the fallback of those without a known zone): 00:00 UTC.
        Assert.Equal(new DateTimeOffset(2027, 3, 28, 0, 0, 0, TimeSpan.Zero), scheduled.GetProperty("scheduled_at").GetDateTimeOffset());
        Assert.Equal("09:00", scheduled.Str("send_local_time"));
        Assert.Equal("2027-03-28", scheduled.Str("send_local_date"));

        app.Clock.SetUtcNow(new DateTimeOffset(2027, 3, 28, 0, 0, 1, TimeSpan.Zero));
        await Eventually.Until(() => client.GetJson($"/api/email/campaigns/{id}"), c => c.Str("status") == "sending", TimeSpan.FromSeconds(30),
            "the campaign fans out when Tokyo's 9:00 comes");

        Assert.Equal(new DateTime(2027, 3, 28, 7, 0, 0, DateTimeKind.Utc), await NotBefore(id, paris.Id)); // CEST, UTC+2
        Assert.Equal(new DateTime(2027, 3, 28, 8, 0, 0, DateTimeKind.Utc), await NotBefore(id, london.Id)); // BST, UTC+1
        Assert.Equal(new DateTime(2027, 3, 28, 13, 0, 0, DateTimeKind.Utc), await NotBefore(id, newYork.Id)); // EDT, UTC-4
        Assert.Equal(new DateTime(2027, 3, 28, 0, 0, 0, DateTimeKind.Utc), await NotBefore(id, unknown.Id)); // Tokyo, UTC+9
        Assert.Equal(new DateTime(2027, 3, 28, 0, 0, 0, DateTimeKind.Utc), await NotBefore(id, none.Id));
        // Queued until their time: a sending campaign with emails still to go is not complete.
        var progress = await client.GetJson($"/api/email/campaigns/{id}/progress");
        Assert.Equal(5, progress.Int("queued"));
        Assert.Equal("sending", progress.Str("status"));
    }

    async Task<DateTime> NotBefore(Guid campaign, Guid contact) =>
        DateTime.SpecifyKind(await app.Database.ScalarAsync<DateTime>(
            "select not_before at time zone 'UTC' from email.email_jobs where campaign_id = $1 and contact_id = $2", campaign, contact), DateTimeKind.Utc);
}
