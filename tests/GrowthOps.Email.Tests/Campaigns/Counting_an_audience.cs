using System.Net;

namespace GrowthOps.Email.Tests.Campaigns;

/// <summary>The audience count shown before sending: who is in it, and who of them would not be sent to and why.</summary>
public sealed class Counting_an_audience(CampaignsApp app) : IClassFixture<CampaignsApp>
{
    [Fact]
    public async Task Counts_included_segments_minus_excluded_ones_with_the_suppressed_the_non_consenting_and_those_without_an_address()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sendable = EmailClient.Contact();
        var alsoSendable = EmailClient.Contact();
        var suppressed = EmailClient.Contact();
        var noConsent = EmailClient.Contact(consent: false);
        var noEmail = EmailClient.Contact() with { Email = null };
        var excluded = EmailClient.Contact();
        var deleted = EmailClient.Contact();
        await app.Contacts(tenant, sendable, alsoSendable, suppressed, noConsent, noEmail, excluded, deleted);
        await app.SuppressAsync(tenant, suppressed.Email!.ToUpperInvariant());
        await app.ExecuteAsync("update email.recipients set deleted = true where contact_id = $1", deleted.Id);
        var vip = await app.SegmentAsync(tenant, sendable.Id, suppressed.Id, noConsent.Id, excluded.Id, deleted.Id);
        var newsletter = await app.SegmentAsync(tenant, sendable.Id, alsoSendable.Id, noEmail.Id);
        var blocked = await app.SegmentAsync(tenant, excluded.Id);

        var audience = $$"""{"include_segments":["{{vip}}","{{newsletter}}"],"exclude_segments":["{{blocked}}"]}""";
        var counts = await client.PostJson("/api/email/audiences/count", audience, HttpStatusCode.OK);
        AssertCounts(counts, total: 5, sendable: 2, suppressed: 1, noConsent: 1, noEmail: 1);

        // The same, saved in a campaign.
        var id = (await client.PostJson("/api/email/campaigns", """{"name":"Counted"}""", HttpStatusCode.Created)).Id();
        await client.PutJson($"/api/email/campaigns/{id}/audience", audience, HttpStatusCode.OK);
        AssertCounts(await client.GetJson($"/api/email/campaigns/{id}/audience/count"), total: 5, sendable: 2, suppressed: 1, noConsent: 1, noEmail: 1);

        // Another tenant's count of the same segments is empty.
        AssertCounts(await app.ClientFor(Guid.NewGuid()).PostJson("/api/email/audiences/count", audience, HttpStatusCode.OK), 0, 0, 0, 0, 0);
    }

    [Fact]
    public async Task Counts_a_static_list_and_all_consenting_contacts()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (a, b, c) = (EmailClient.Contact(), EmailClient.Contact(consent: false), EmailClient.Contact());
        await app.Contacts(tenant, a, b, c);

        AssertCounts(await client.PostJson("/api/email/audiences/count", $$"""{"contact_ids":["{{a.Id}}","{{b.Id}}","{{Guid.NewGuid()}}"]}""",
            HttpStatusCode.OK), total: 2, sendable: 1, suppressed: 0, noConsent: 1, noEmail: 0);
        AssertCounts(await client.PostJson("/api/email/audiences/count", """{"all_consenting":true}""", HttpStatusCode.OK),
            total: 2, sendable: 2, suppressed: 0, noConsent: 0, noEmail: 0);
        await client.PostJson("/api/email/audiences/count", "{}", HttpStatusCode.BadRequest);
    }

    static void AssertCounts(System.Text.Json.JsonElement counts, int total, int sendable, int suppressed, int noConsent, int noEmail) =>
        Assert.Equal((total, sendable, suppressed, noConsent, noEmail),
            (counts.Int("total"), counts.Int("sendable"), counts.Int("suppressed"), counts.Int("no_consent"), counts.Int("no_email")));
}
