using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Contracts.Segments;

namespace GrowthOps.EndToEnd.Tests.Segments;

/// <summary>
/// What a user of both services sees: contacts kept in Leads (its HTTP API) move in and out of Segments' segments through
/// the bus alone, and one tenant's contacts never reach another tenant's segments.
/// </summary>
public sealed class Following_leads_into_segments(LeadsAndSegments services) : IClassFixture<LeadsAndSegments>
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(20);

    const string QualifiedVips = """
        {"name": "Qualified VIPs", "type": "lifecycle", "criteria_logic": "AND", "criteria": [
          {"field": "tags", "operator": "contains", "value": "vip"},
          {"field": "status", "operator": "equals", "value": "qualified"}]}
        """;

    const string AllVips = """
        {"name": "All VIPs", "type": "demographic", "criteria_logic": "AND", "criteria": [
          {"field": "tags", "operator": "contains", "value": "vip"}]}
        """;

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    static async Task<Guid> CreateSegment(HttpClient segments, string body) =>
        (await Json(await segments.PostAsync("/api/segments/segments", new StringContent(body, System.Text.Encoding.UTF8, "application/json")),
            HttpStatusCode.Created)).GetProperty("id").GetGuid();

    static async Task<Guid> CreateContact(HttpClient leads, string email) =>
        (await Json(await leads.PostAsJsonAsync("/api/leads/contacts", new { email }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

    static async Task Tag(HttpClient leads, Guid contact, string tag) =>
        await Json(await leads.PostAsync($"/api/leads/contacts/{contact}/tags/{tag}", null), HttpStatusCode.OK);

    static async Task Move(HttpClient leads, Guid contact, string state) =>
        await Json(await leads.PostAsJsonAsync($"/api/leads/contacts/{contact}/transitions", new { to_state = state, triggered_by = "end-to-end" }),
            HttpStatusCode.Created);

    static async Task<HashSet<Guid>> Members(HttpClient segments, Guid segment) =>
        (await Json(await segments.GetAsync($"/api/segments/segments/{segment}/members?limit=200"), HttpStatusCode.OK)).GetProperty("items")
        .EnumerateArray().Select(m => m.GetProperty("contact_id").GetGuid()).ToHashSet();

    /// <summary>Waits for the segment's members (read through Segments' API) to be exactly <paramref name="expected"/>.</summary>
    static Task<HashSet<Guid>> MembersBecome(HttpClient segments, Guid segment, params Guid[] expected) =>
        Eventually.Until(() => Members(segments, segment), m => m.SetEquals(expected), Deadline,
            $"segment {segment} to have exactly {expected.Length} member(s)");

    static async Task<int> MemberCount(HttpClient segments, Guid segment) =>
        (await Json(await segments.GetAsync($"/api/segments/segments/{segment}"), HttpStatusCode.OK)).GetProperty("member_count").GetInt32();

    Task<SegmentMembershipChanged> Changed(Guid tenant, Guid segment, Guid contact, string change) =>
        services.Bus.WaitFor<SegmentMembershipChanged>(m => m.TenantId == tenant && m.SegmentId == segment && m.ContactId == contact && m.Change == change,
            Deadline);

    [Fact]
    public async Task A_contact_tagged_and_moved_in_Leads_enters_and_then_leaves_a_segment_and_each_change_is_on_the_bus()
    {
        var tenant = Guid.NewGuid();
        var leads = services.Leads.ClientFor(tenant);
        var segments = services.Segments.ClientFor(tenant);
        var segment = await CreateSegment(segments, QualifiedVips);

        var ada = await CreateContact(leads, "ada@endtoend.test");
        await Tag(leads, ada, "vip");
        await Move(leads, ada, "contacted");
        // Tagged but not yet qualified: Segments has the contact (its read model follows Leads) but the segment does not.
        await Eventually.Until(async () => (await segments.GetAsync($"/api/segments/contacts/{ada}/segments")).StatusCode, s => s == HttpStatusCode.OK,
            Deadline, "Segments knows the contact Leads created");
        Assert.Empty(await Members(segments, segment));

        await Move(leads, ada, "qualified");
        var entered = await Changed(tenant, segment, ada, "entered");
        Assert.Equal("Qualified VIPs", entered.SegmentName);
        await MembersBecome(segments, segment, ada);
        Assert.Equal(1, await MemberCount(segments, segment));

        await Move(leads, ada, "proposal");
        await Changed(tenant, segment, ada, "exited");
        await MembersBecome(segments, segment);
        Assert.Equal(0, await MemberCount(segments, segment));
        Assert.Single(services.Bus.Received<SegmentMembershipChanged>(), m => m.SegmentId == segment && m.Change == "entered");
    }

    [Fact]
    public async Task Another_tenants_segment_never_gets_the_contact()
    {
        var (alpha, beta) = (Guid.NewGuid(), Guid.NewGuid());
        var alphaLeads = services.Leads.ClientFor(alpha);
        var betaLeads = services.Leads.ClientFor(beta);
        var alphaSegment = await CreateSegment(services.Segments.ClientFor(alpha), AllVips);
        var betaSegment = await CreateSegment(services.Segments.ClientFor(beta), AllVips);

        var alphaContact = await CreateContact(alphaLeads, "grace@alpha.test");
        await Tag(alphaLeads, alphaContact, "vip");
        await Changed(alpha, alphaSegment, alphaContact, "entered");
        // The same criteria in the other tenant are live (its own contact enters)...
        var betaContact = await CreateContact(betaLeads, "grace@beta.test");
        await Tag(betaLeads, betaContact, "vip");
        await Changed(beta, betaSegment, betaContact, "entered");

        // ...and yet neither tenant's segment, members or events ever name the other's contact.
        Assert.Equal([alphaContact], await Members(services.Segments.ClientFor(alpha), alphaSegment));
        Assert.Equal([betaContact], await Members(services.Segments.ClientFor(beta), betaSegment));
        Assert.DoesNotContain(services.Bus.Received<SegmentMembershipChanged>(),
            m => (m.SegmentId == betaSegment && m.ContactId != betaContact) || (m.SegmentId == alphaSegment && m.ContactId != alphaContact));
        Assert.All(services.Bus.Received<SegmentMembershipChanged>().Where(m => m.SegmentId == betaSegment || m.ContactId == betaContact),
            m => Assert.Equal(beta, m.TenantId));
        Assert.Equal(HttpStatusCode.NotFound, (await services.Segments.ClientFor(beta).GetAsync($"/api/segments/contacts/{alphaContact}/segments")).StatusCode);
    }
}
