using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.EndToEnd.Tests.Email;

/// <summary>
/// The whole loop a marketer runs: contacts kept in Leads, a segment in Segments, a campaign in Email to that segment,
/// arriving in a real SMTP server (smtp4dev) with the merge fields filled and the unsubscribe headers; the recipient's
/// open and click come back to Leads as activities on the contact. Each service only ever hears of the others on the bus.
/// </summary>
public sealed partial class Sending_a_campaign_to_a_segment(LeadsSegmentsAndEmail services) : IClassFixture<LeadsSegmentsAndEmail>
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);
    const string Browser = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15";

    [GeneratedRegex("""http://email\.test(/t/o/[A-Za-z0-9_-]+\.gif)""")]
    private static partial Regex Pixel();

    [GeneratedRegex(@"href=""http://email\.test(/t/c/[A-Za-z0-9_-]+)""")]
    private static partial Regex TrackedLink();

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.RequestUri}: {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    static async Task<Guid> Created(HttpClient client, string path, object body) =>
        (await Json(await client.PostAsJsonAsync(path, body), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    static async Task<HashSet<string>> ActivityTypes(HttpClient leads, Guid contact) =>
        (await Json(await leads.GetAsync($"/api/leads/contacts/{contact}/activities?limit=100"), HttpStatusCode.OK)).GetProperty("items")
        .EnumerateArray().Select(a => a.GetProperty("type").GetString()!).ToHashSet();

    [Fact]
    public async Task Reaches_the_consenting_members_with_their_merge_fields_and_brings_their_opens_and_clicks_back_to_Leads()
    {
        var tenant = Guid.NewGuid();
        var leads = services.Leads.ClientFor(tenant);
        var email = services.Email.ClientFor(tenant);
        var (adaAddress, bobAddress, eveAddress) = (MailCatcher.Address("ada"), MailCatcher.Address("bob"), MailCatcher.Address("eve"));

        var segment = await Created(services.Segments.ClientFor(tenant), "/api/segments/segments", JsonSerializer.Deserialize<JsonElement>("""
            {"name": "Newsletter", "type": "engagement", "criteria_logic": "AND",
             "criteria": [{"field": "tags", "operator": "contains", "value": "newsletter"}]}
            """));
        // Ada: tagged, consenting. Bob: tagged, no marketing consent. Eve: consenting, not tagged.
        var ada = await Created(leads, "/api/leads/contacts", new { email = adaAddress, first_name = "Ada", company = "Analytical Engines", marketing_consent = true });
        var bob = await Created(leads, "/api/leads/contacts", new { email = bobAddress, first_name = "Bob", company = "Nowhere", marketing_consent = false });
        await Created(leads, "/api/leads/contacts", new { email = eveAddress, first_name = "Eve", marketing_consent = true });
        foreach (var contact in new[] { ada, bob })
            await Json(await leads.PostAsync($"/api/leads/contacts/{contact}/tags/newsletter", null), HttpStatusCode.OK);

        // Email counts the audience from its own read models, filled by Leads' and Segments' events.
        var counts = await Eventually.Until(
            async () => await Json(await email.PostAsJsonAsync("/api/email/audiences/count", new { include_segments = new[] { segment } }), HttpStatusCode.OK),
            c => c.GetProperty("total").GetInt32() == 2 && c.GetProperty("sendable").GetInt32() == 1, Deadline,
            "Email counts the segment's two members, one of them sendable");
        Assert.Equal(1, counts.GetProperty("no_consent").GetInt32());

        var template = await Created(email, "/api/email/templates", new
        {
            name = "December news",
            subject = "{{first_name}}, your December news",
            html = """<p>Hi {{first_name}} of {{company}},</p><p><a href="https://growthops.example/news?from=email">Read the news</a></p>""",
        });
        var campaign = await Created(email, "/api/email/campaigns", new { name = "December news" });
        await Json(await email.PutAsJsonAsync($"/api/email/campaigns/{campaign}/settings",
            new { name = "December news", from_email = "news@growthops.example", from_name = "GrowthOps" }), HttpStatusCode.OK);
        await Json(await email.PutAsJsonAsync($"/api/email/campaigns/{campaign}/audience", new { include_segments = new[] { segment } }), HttpStatusCode.OK);
        await Json(await email.PutAsJsonAsync($"/api/email/campaigns/{campaign}/design", new { template_id = template }), HttpStatusCode.OK);
        var sending = await Json(await email.PostAsync($"/api/email/campaigns/{campaign}/send", null), HttpStatusCode.OK);
        Assert.Equal("sending", sending.GetProperty("status").GetString());

        // Ada's email, as her mail client gets it.
        var arrived = Assert.Single(await services.Mail.WaitForAsync(adaAddress, timeout: Deadline));
        var mail = await services.Mail.GetAsync(arrived);
        Assert.Equal("Ada, your December news", mail.Summary.Subject);
        Assert.Contains("Hi Ada of Analytical Engines,", mail.Html);
        Assert.Contains("Hi Ada of Analytical Engines,", mail.Text);
        Assert.Matches(@"^<http://email\.test/t/unsubscribe/[A-Za-z0-9_-]+>", mail.Headers["List-Unsubscribe"]);
        Assert.Equal("List-Unsubscribe=One-Click", mail.Headers["List-Unsubscribe-Post"]);

        // The campaign ends with Ada sent and Bob suppressed; neither Bob nor Eve got anything.
        var progress = await Eventually.Until(
            async () => await Json(await email.GetAsync($"/api/email/campaigns/{campaign}/progress"), HttpStatusCode.OK),
            p => p.GetProperty("queued").GetInt32() == 0, Deadline, "the campaign has nothing left to send");
        Assert.Equal((2, 1, 1), (progress.GetProperty("total").GetInt32(), progress.GetProperty("sent").GetInt32(), progress.GetProperty("suppressed").GetInt32()));
        Assert.Empty(await services.Mail.ToAsync(bobAddress));
        Assert.Empty(await services.Mail.ToAsync(eveAddress));

        // Ada opens the email (her client loads the pixel) and clicks its link.
        using var browser = services.Email.CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false });
        browser.DefaultRequestHeaders.UserAgent.ParseAdd(Browser);
        var opened = await browser.GetAsync(Pixel().Match(mail.Html!).Groups[1].Value);
        Assert.Equal(HttpStatusCode.OK, opened.StatusCode);
        Assert.Equal("image/gif", opened.Content.Headers.ContentType?.MediaType);
        var clicked = await browser.GetAsync(TrackedLink().Match(mail.Html!).Groups[1].Value);
        Assert.Equal(HttpStatusCode.Redirect, clicked.StatusCode);
        Assert.Equal("https://growthops.example/news?from=email", clicked.Headers.Location?.ToString());

        // Leads has it all on Ada's timeline, and nothing on Bob's.
        await Eventually.Until(() => ActivityTypes(leads, ada), t => t.IsSupersetOf(["email.sent", "email.opened", "email.clicked"]), Deadline,
            "Leads records Ada's email as sent, opened and clicked");
        var click = (await Json(await leads.GetAsync($"/api/leads/contacts/{ada}/activities?type=email.clicked"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().Single();
        Assert.Equal("https://growthops.example/news?from=email", click.GetProperty("metadata").GetProperty("url").GetString());
        Assert.Equal(campaign.ToString(), click.GetProperty("metadata").GetProperty("campaign_id").GetString());
        Assert.DoesNotContain("email.sent", await ActivityTypes(leads, bob));
    }
}
