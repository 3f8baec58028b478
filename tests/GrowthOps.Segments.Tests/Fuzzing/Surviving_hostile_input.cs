using System.Buffers.Text;
using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Testing.Fuzzing;
using Xunit.Abstractions;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Fuzzing;

/// <summary>
/// Every Segments operation of the OpenAPI document, the seed's <c>/api/synthex/segments</c> included, under a few hundred
/// seeded hostile requests (<see cref="HostileInputs"/>): no 5xx, every error a problem, nothing written by a refused
/// request, no other tenant's data touched or shown, and valid requests in flight alongside still succeed. Once directly,
/// once through the real gateway in front of the service.
/// </summary>
public sealed class Surviving_hostile_input(HostileInputSegmentsApp app, ITestOutputHelper output) : IClassFixture<HostileInputSegmentsApp>
{
    const string Adas = """[{"field":"first_name","operator":"equals","value":"Ada"}]""";

    /// <summary>Valid bodies that the mutations start from; <c>{{n}}</c> is unique per request, the others are the seed's values.</summary>
    static readonly Dictionary<string, string> Examples = new()
    {
        ["POST /api/segments/criteria/validate"] = $$$"""{"criteria":{{{Adas}}},"criteria_logic":"AND"}""",
        ["POST /api/segments/segments"] = $$$"""
            {"name":"fuzz {{n}}","description":"From the fuzzer","type":"demographic","kind":"dynamic","criteria":{{{Adas}}},"criteria_logic":"AND",
             "auto_refresh":true,"refresh_interval_hours":12,"use_ai_refinement":false}
            """,
        ["PATCH /api/segments/segments/{id}"] = """{"description":"fuzzed {{n}}","refresh_interval_hours":6}""",
        ["POST /api/segments/segments/{id}/members"] = """{"contact_ids":["{{contact}}"],"emails":["{{email}}"]}""",
        ["POST /api/segments/segments/{id}/members/remove"] = """{"contact_ids":["{{contact}}"],"emails":["{{email}}"]}""",
        ["POST /api/segments/evaluate"] = $$$"""{"contact_id":"{{contact}}","criteria":{{{Adas}}},"criteria_logic":"OR"}""",
        ["POST /api/synthex/segments"] = $$$"""
            {"tenantId":"{{tenant}}","action":"create_segment","segment_name":"seed {{n}}","segment_type":"value","criteria":{{{Adas}}},
             "criteria_logic":"AND","use_ai_refinement":true,"auto_refresh":true,"refresh_interval_hours":24}
            """,
    };

    [Fact]
    public Task Directly() => Survive(app.Address);

    [Fact]
    public async Task Through_the_gateway()
    {
        await using var gateway = await TestGateway.StartAsync("segments", app.Address);
        await Survive(gateway.BaseAddress);
    }

    async Task Survive(Uri address)
    {
        var report = await HostileInputs.RunAsync(new HostileInputTarget
        {
            BaseAddress = address,
            Contract = await app.Contract,
            Seed = SeedAsync,
            Fingerprint = await TenantFingerprint.ForSchemaAsync(app.Database.AdminConnectionString, "segments"),
            Examples = Examples,
            // Campaigns are Email's and Cortex's: an unlinked campaign's audience is an empty list, not a 404.
            ExternalPathParameters = new HashSet<string> { "campaignId" },
            ValidRequests = ValidRequests,
            Log = output.WriteLine,
        });

        output.WriteLine(report.Summary());
        Assert.True(report.Failures.Count == 0, report.Summary());
    }

    /// <summary>
    /// A tenant with contacts in its read model (as Leads' events leave them), a dynamic segment and, created last so that it
    /// comes first in the list the fuzzer aims at, a static one holding the main contact.
    /// </summary>
    async Task<IReadOnlyDictionary<string, string>> SeedAsync(HttpClient client)
    {
        var tenant = TenantOf(client);
        var main = Snapshot(Guid.CreateVersion7(), 1, "Ada") with { Email = "main@example.com", Tags = ["vip"], LeadState = "qualified" };
        await app.Contacts(tenant, main, Snapshot(Guid.CreateVersion7(), 1, "Grace"), Snapshot(Guid.CreateVersion7(), 1, "Ada"));
        await client.PostJson("/api/segments/segments", $$"""{"name":"Adas","type":"demographic","criteria":{{Adas}}}""", HttpStatusCode.Created);
        var picked = (await client.PostJson("/api/segments/segments", """{"name":"Picked","kind":"static"}""", HttpStatusCode.Created)).Id();
        await client.PostJson($"/api/segments/segments/{picked}/members", $$"""{"contact_ids":["{{main.Id}}"]}""", HttpStatusCode.OK);
        return new Dictionary<string, string>
        {
            ["tenant"] = tenant.ToString(), ["segment"] = picked.ToString(), ["contact"] = main.Id.ToString(), ["contactId"] = main.Id.ToString(),
            // The path parameter of the routes whose collection is not listed (a contact's segments).
            ["id"] = main.Id.ToString(), ["email"] = "main@example.com", ["tag"] = "vip",
        };
    }

    /// <summary>What a busy tenant does meanwhile: segments created and listed, members added, listed and exported, through both route families.</summary>
    static readonly IReadOnlyList<Func<int, FuzzTenant, HttpRequestMessage>> ValidRequests =
    [
        (n, _) => Json(HttpMethod.Post, "/api/segments/segments", $$"""{"name":"valid {{n}}","kind":"static"}"""),
        (_, tenant) => Json(HttpMethod.Post, $"/api/segments/segments/{tenant.Values["segment"]}/members", $$"""{"emails":["{{tenant.Values["email"]}}"]}"""),
        (_, tenant) => new HttpRequestMessage(HttpMethod.Get, $"/api/segments/segments/{tenant.Values["segment"]}/members?q=main&limit=5"),
        (_, tenant) => new HttpRequestMessage(HttpMethod.Get, $"/api/segments/segments/{tenant.Values["segment"]}/members.csv?tag=vip"),
        (_, _) => new HttpRequestMessage(HttpMethod.Get, "/api/synthex/segments?type=audience"),
        (_, tenant) => Json(HttpMethod.Post, "/api/synthex/segments",
            $$"""{"action":"add_member","segment_id":"{{tenant.Values["segment"]}}","contact_id":"{{tenant.Values["contact"]}}"}"""),
        (_, _) => new HttpRequestMessage(HttpMethod.Get, "/api/segments/segments?limit=5"),
    ];

    /// <summary>The tenant the seeding client's token names (the fuzzer makes the tenant and its token).</summary>
    static Guid TenantOf(HttpClient client)
    {
        var payload = client.DefaultRequestHeaders.Authorization!.Parameter!.Split('.')[1];
        return JsonSerializer.Deserialize<JsonElement>(Base64Url.DecodeFromChars(payload)).GetProperty("tenant_id").GetGuid();
    }

    static HttpRequestMessage Json(HttpMethod method, string path, string body) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
}
