using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>A campaign's stats from its emails and their events (email.events, which tracking fills: here written directly).</summary>
public sealed class Reporting_campaign_stats(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Counts_unique_and_total_opens_and_clicks_of_people_with_rates_and_clicks_per_link()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contacts = Enumerable.Range(0, 4).Select(_ => EmailClient.Contact()).ToArray();
        await app.Contacts(tenant, contacts);
        var id = await client.ReadyCampaignAsync(await app.TemplateAsync(tenant),
            $$"""{"contact_ids":[{{string.Join(",", contacts.Select(c => $"\"{c.Id}\""))}}]}""");
        await client.PostJson($"/api/email/campaigns/{id}/send", "", HttpStatusCode.OK);
        await app.ExecuteAsync("update email.email_jobs set status = 'sent', sent_at = now() where campaign_id = $1", id);
        var messages = (await app.Database.ColumnAsync<Guid>($"select id from email.email_jobs where campaign_id = '{id}' order by id")).ToArray();

        // 4 sent, 3 delivered, 1 bounced; opens: m0 twice, m1 once, a bot on m2; clicks: m0 on /a twice and /b, m1 on /a, a bot on /c.
        (int Message, string Type, bool Bot, string? Url)[] events =
        [
            (0, "delivered", false, null), (1, "delivered", false, null), (2, "delivered", false, null), (3, "bounced", false, null),
            (0, "opened", false, null), (0, "opened", false, null), (1, "opened", false, null), (2, "opened", true, null),
            (0, "clicked", false, "https://x.example/a"), (0, "clicked", false, "https://x.example/a"), (0, "clicked", false, "https://x.example/b"),
            (1, "clicked", false, "https://x.example/a"), (2, "clicked", true, "https://x.example/c"),
            (1, "unsubscribed", false, null), (0, "replied", false, null), (2, "complained", false, null),
        ];
        foreach (var e in events)
            await app.ExecuteAsync("""
                insert into email.events (tenant_id, id, message_id, campaign_id, type, bot, url, dedup_key, occurred_at)
                values ($1, gen_random_uuid(), $2, $3, $4, $5, $6, gen_random_uuid()::text, now())
                """, tenant, messages[e.Message], id, e.Type, e.Bot, e.Url);

        var stats = await client.GetJson($"/api/email/campaigns/{id}/stats");
        Assert.Equal((4, 3, 1), (stats.Int("sent"), stats.Int("delivered"), stats.Int("bounced")));
        Assert.Equal((2, 3, 1), (stats.Int("unique_opens"), stats.Int("total_opens"), stats.Int("bot_opens")));
        Assert.Equal((2, 4, 1), (stats.Int("unique_clicks"), stats.Int("total_clicks"), stats.Int("bot_clicks")));
        Assert.Equal((1, 1, 1), (stats.Int("complained"), stats.Int("unsubscribed"), stats.Int("replied")));
        Assert.Equal(0.75, stats.GetProperty("delivery_rate").GetDouble());
        Assert.Equal(0.25, stats.GetProperty("bounce_rate").GetDouble());
        Assert.Equal(0.6667, stats.GetProperty("open_rate").GetDouble()); // 2 of the 3 that reached a mailbox
        Assert.Equal(0.6667, stats.GetProperty("click_rate").GetDouble());
        Assert.Equal(1.0, stats.GetProperty("click_to_open_rate").GetDouble());
        var links = stats.GetProperty("links").EnumerateArray().Select(l => (l.Str("url"), l.Int("unique_clicks"), l.Int("total_clicks"))).ToArray();
        Assert.Equal([("https://x.example/a", 2, 3), ("https://x.example/b", 1, 1)], links);

        await app.ClientFor(Guid.NewGuid()).GetJson($"/api/email/campaigns/{id}/stats", HttpStatusCode.NotFound);
    }
}
