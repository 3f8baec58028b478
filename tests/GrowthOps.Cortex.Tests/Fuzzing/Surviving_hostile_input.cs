using System.Net;
using System.Text;
using GrowthOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace GrowthOps.Cortex.Tests.Fuzzing;

/// <summary>
/// Every Cortex operation of the OpenAPI document under a few hundred seeded hostile requests (<see cref="HostileInputs"/>): no
/// 5xx, every error a problem, nothing written by a refused request, no other tenant's data touched or shown, and valid requests
/// in flight alongside still succeed. Once directly, once through the real gateway in front of the service.
/// </summary>
public sealed class Surviving_hostile_input(HostileInputCortexApp app, ITestOutputHelper output) : IClassFixture<HostileInputCortexApp>
{
    const string Graph = """
        {"nodes":[{"id":"t1","type":"trigger","position":{"x":0,"y":0},"data":{"trigger_type":"contact.tag_added"}},
                  {"id":"a1","type":"action","position":{"x":0,"y":100},"data":{"action_type":"add_tag","config":{"tag":"welcomed"}}}],
         "edges":[{"id":"e1","source":"t1","target":"a1"}]}
        """;

    static readonly Dictionary<string, string> Examples = new()
    {
        ["POST /api/cortex/workflows"] = $$$"""{"name":"fuzz {{n}}","description":"From the fuzzer","graph":{{{Graph}}},"reentry":"always"}""",
        ["PATCH /api/cortex/workflows/{id}"] = $$$"""{"description":"fuzzed {{n}}","graph":{{{Graph}}}}""",
        ["PUT /api/cortex/secrets/{name}"] = """{"value":"fuzz-secret-{{n}}"}""",
        ["POST /api/cortex/workflows/{id}/runs/migrate"] = """{"from_version":1,"node_map":{"a1":"a1"}}""",
        ["POST /api/cortex/workflows/import"] = $$$"""{"format":"growthops.workflow/v1","name":"imported {{n}}","graph":{{{Graph}}},"reentry":"once_per_contact"}""",
    };

    [Fact]
    public Task Directly() => Survive(app.Address);

    [Fact]
    public async Task Through_the_gateway()
    {
        await using var gateway = await TestGateway.StartAsync("cortex", app.Address);
        await Survive(gateway.BaseAddress);
    }

    async Task Survive(Uri address)
    {
        var report = await HostileInputs.RunAsync(new HostileInputTarget
        {
            BaseAddress = address,
            Contract = await app.Contract,
            Seed = SeedAsync,
            Fingerprint = await TenantFingerprint.ForSchemaAsync(app.Database.AdminConnectionString, "cortex"),
            Examples = Examples,
            // A secret's name is the caller's own namespace (PUT creates the caller's "fuzz", never touches another tenant's).
            ExternalPathParameters = new HashSet<string> { "name" },
            ValidRequests = ValidRequests,
            Log = output.WriteLine,
        });

        output.WriteLine(report.Summary());
        Assert.True(report.Failures.Count == 0, report.Summary());
    }

    /// <summary>A tenant with a published workflow (version 1).</summary>
    static async Task<IReadOnlyDictionary<string, string>> SeedAsync(HttpClient client)
    {
        var created = await (await client.PostAsync("/api/cortex/workflows", Json($$"""{"name":"Welcome","graph":{{Graph}}}"""))).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        return new Dictionary<string, string> { ["id"] = id.ToString(), ["version"] = "1" };
    }

    static readonly IReadOnlyList<Func<int, FuzzTenant, HttpRequestMessage>> ValidRequests =
    [
        (n, _) => new HttpRequestMessage(HttpMethod.Post, "/api/cortex/workflows") { Content = Json($$"""{"name":"valid {{n}}"}""") },
        (_, tenant) => new HttpRequestMessage(HttpMethod.Get, $"/api/cortex/workflows/{tenant.Values["id"]}/versions"),
        (_, tenant) => new HttpRequestMessage(HttpMethod.Post, $"/api/cortex/workflows/{tenant.Values["id"]}/validate"),
        (_, _) => new HttpRequestMessage(HttpMethod.Get, "/api/cortex/workflows?limit=5"),
    ];

    static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");
}
