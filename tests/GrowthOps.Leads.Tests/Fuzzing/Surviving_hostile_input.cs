using System.Net.Http.Json;
using System.Text.Json;
using System.Globalization;
using System.Net;
using System.Text;
using GrowthOps.Leads.Tests.HubSpot;
using GrowthOps.Testing.Fuzzing;
using Xunit.Abstractions;

namespace GrowthOps.Leads.Tests.Fuzzing;

/// <summary>
/// Every Leads operation of the OpenAPI document under a few hundred seeded hostile requests (<see cref="HostileInputs"/>):
/// no 5xx, every error a problem, nothing written by a refused request, no other tenant's data touched or shown, and
/// valid requests in flight alongside still succeed. Once directly, once through the real gateway in front of the service.
/// On failure the report names every class of failure with one request in full and the seed that replays them.
/// </summary>
public sealed class Surviving_hostile_input(HostileInputLeadsApp app, ITestOutputHelper output) : IClassFixture<HostileInputLeadsApp>
{
    const string HubSpotSecret = "fuzz-hubspot-client-secret";

    /// <summary>Valid bodies that the mutations start from; <c>{{n}}</c> is unique per request, the others are the seed's values.</summary>
    static readonly Dictionary<string, string> Examples = new()
    {
        ["POST /api/leads/contacts"] = """
            {"email":"fuzz{{n}}@example.com","kind":"lead","first_name":"Ada","last_name":"Lovelace","phone":"+44 20 7946 0000",
             "company":"Analytical Engines","source":"web","channel":"organic","owner_id":"owner-1","score":10,"timezone":"Europe/London",
             "marketing_consent":true,"attributes":{"plan":"pro"},"tags":["vip"]}
            """,
        ["PATCH /api/leads/contacts/{id}"] = """{"first_name":"Grace","company":"Navy","score":20,"attributes":{"plan":"team"},"tags":["vip","beta"]}""",
        ["POST /api/leads/activities"] = """{"type":"email_opened","contact_email":"{{email}}","metadata":{"campaign":"spring"},"occurred_at":"2024-05-01T10:00:00Z"}""",
        ["POST /api/leads/activities/batch"] = """
            {"activities":[{"type":"page_view","contact_email":"batch{{n}}@example.com","metadata":{"url":"/pricing"},"occurred_at":"2024-05-01T10:00:00Z"}]}
            """,
        ["POST /api/leads/deals"] = """
            {"name":"Deal {{n}}","amount":1250.50,"currency":"EUR","stage":"qualifiedtobuy","owner_id":"owner-1","expected_close_date":"2027-01-31",
             "source":"web","channel":"organic","attributes":{"seats":10},"external_ids":{"hubspot":"hs-{{n}}"}}
            """,
        ["PATCH /api/leads/deals/{id}"] = """{"amount":99.99,"stage":"contractsent","owner_id":null}""",
        ["POST /api/leads/deals/{id}/stage"] = """{"stage":"closedwon","triggered_by":"fuzz"}""",
        ["POST /api/leads/pipelines"] = """
            {"name":"Pipeline {{n}}","stages":[{"key":"intro","name":"Intro","probability":0.1},{"key":"won","name":"Won","probability":1,"closed_won":true}]}
            """,
        ["POST /api/leads/tasks"] = """{"title":"Call {{n}}","contact_id":"{{contact}}","due_local":"2027-01-05T09:00","timezone":"Europe/Paris","priority":"high"}""",
        ["POST /api/leads/notes"] = """{"contact_id":"{{contact}}","body":"Wants a 3-year term."}""",
        ["PUT /api/leads/owners/{owner_id}"] = """{"name":"Ana","email":"ana@example.com","active":true}""",
        ["PUT /api/leads/owner-groups/{group_name}"] = """{"members":["owner-1"]}""",
        ["POST /api/leads/contacts/{id}/owner"] = """{"owner_id":"owner-1"}""",
        ["POST /api/leads/states"] = """{"name":"fuzz_{{n}}","color":"purple","position":9,"description":"A stage of its own","is_terminal":false}""",
        ["PATCH /api/leads/states/{id}"] = """{"color":"teal","description":"Freshly captured"}""",
        ["POST /api/leads/transitions"] = """{"from_state":"{{state}}","to_state":"won","name":"fuzz {{n}}","requires_notes":false}""",
        ["POST /api/leads/transitions/bulk"] = """{"contact_ids":["{{bulk_contact}}"],"to_state":"dormant","notes":"bulk","triggered_by":"fuzz","source":"user"}""",
        ["POST /api/leads/contacts/{id}/transitions"] = """{"to_state":"qualified","notes":"Qualified after a call","triggered_by":"user-1","source":"user"}""",
        ["POST /api/leads/automations"] = """
            {"name":"fuzz {{n}}","trigger":"on_enter","state":"qualified","conditions":[{"field":"score","operator":"greater_than","value":5}],
             "actions":[{"type":"add_tag","tag":"hot"}],"is_active":true}
            """,
        ["PATCH /api/leads/automations/{id}"] = """{"name":"renamed {{n}}","is_active":false}""",
        ["PUT /api/leads/integrations/hubspot"] = """{"portal_ids":[{{portal}}],"app_id":"app-1"}""",
        ["PUT /api/leads/settings"] = """{"dormancy_period_seconds":86400}""",
        ["POST /api/synthex/leads/state"] = """{"action":"create_state","name":"seed_{{n}}","color":"gray"}""",
        ["POST /webhooks/hubspot"] = Webhook,
        ["POST /api/webhook/hubspot"] = Webhook,
    };

    const string Webhook = """
        [{"eventId":{{n}},"portalId":{{portal}},"subscriptionType":"contact.propertyChange","objectId":42,"propertyName":"email",
          "propertyValue":"hub@example.com","occurredAt":1700000000000}]
        """;

    [Fact]
    public Task Directly() => Survive(app.Address);

    [Fact]
    public async Task Through_the_gateway()
    {
        await using var gateway = await TestGateway.StartAsync("leads", app.Address);
        await Survive(gateway.BaseAddress);
    }

    async Task Survive(Uri address)
    {
        var report = await HostileInputs.RunAsync(new HostileInputTarget
        {
            BaseAddress = address,
            Contract = await app.Contract,
            Seed = SeedAsync,
            Fingerprint = await TenantFingerprint.ForSchemaAsync(app.Database.AdminConnectionString, "leads"),
            Examples = Examples,
            // Names the tenant gives its own owners (their users' sub) and round-robin groups: PUT creates them in the caller's
            // tenant, so another tenant's name is no id to refuse; the fingerprint still holds the other tenant untouched.
            ExternalPathParameters = new HashSet<string> { "owner_id", "group_name" },
            ValidRequests = ValidRequests(address),
            Log = output.WriteLine,
        });

        output.WriteLine(report.Summary());
        Assert.True(report.Failures.Count == 0, report.Summary());
    }

    /// <summary>A tenant with something of everything: HubSpot connected, a state of its own, an automation, contacts with history, activities and a prediction.</summary>
    static async Task<IReadOnlyDictionary<string, string>> SeedAsync(HttpClient client)
    {
        var portal = HubSpotTesting.NewId();
        await Expect(await client.Put("/api/leads/integrations/hubspot", new { client_secret = HubSpotSecret, portal_ids = new[] { portal } }));
        await Expect(await client.Put("/api/leads/settings", new { dormancy_period_seconds = 86_400 }));
        var stage = await client.Post("/api/leads/states", new { name = "fuzz_stage", color = "purple" });
        await Expect(stage);
        var stageId = (await stage.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetString()!;
        await Expect(await client.Post("/api/leads/transitions", new { from_state = "new", to_state = "fuzz_stage" }));
        await Expect(await client.Post("/api/leads/automations", new
        {
            name = "tag the qualified", trigger = "on_enter", state = "qualified", actions = new object[] { new { type = "add_tag", tag = "hot" } },
        }));
        var bulk = await client.CreateContact("bulk@example.com");
        await client.CreateContact("second@example.com");
        // Created last, so it comes first in the list: the contact the fuzzer aims at.
        var main = await client.CreateContact(new { email = "main@example.com", first_name = "Ada", tags = new[] { "vip" }, attributes = new { plan = "pro" } });
        await client.Transition(main, "contacted");
        await client.RecordActivity(new { type = "email_opened", contact_id = main });
        await client.RecordActivity(new { type = "page_view", contact_id = main });
        await Expect(await client.PostAsync($"/api/leads/contacts/{main}/predictions", null));
        return new Dictionary<string, string>
        {
            ["contact"] = main.ToString(), ["email"] = "main@example.com", ["bulk_contact"] = bulk.ToString(), ["tag"] = "vip",
            ["state"] = "fuzz_stage", ["state_id"] = stageId, ["portal"] = portal.ToString(CultureInfo.InvariantCulture),
        };
    }

    /// <summary>What a busy tenant does meanwhile: contact upserts by email (directly, by activity, by signed HubSpot webhook), states, lists.</summary>
    static IReadOnlyList<Func<int, FuzzTenant, HttpRequestMessage>> ValidRequests(Uri address) =>
    [
        (n, _) => Json(HttpMethod.Post, "/api/leads/contacts", $$"""{"email":"valid{{n}}@example.com","first_name":"Valid"}"""),
        (n, _) => Json(HttpMethod.Post, "/api/leads/activities", $$"""{"type":"visit","contact_email":"valid{{n}}@example.com"}"""),
        // Edits rather than creations: a tenant holds at most 50 states.
        (n, tenant) => Json(HttpMethod.Patch, $"/api/leads/states/{tenant.Values["state_id"]}", $$"""{"description":"valid {{n}}"}"""),
        (_, _) => new HttpRequestMessage(HttpMethod.Get, "/api/leads/contacts?limit=5"),
        (n, _) => Json(HttpMethod.Post, "/api/leads/activities/batch", $$"""{"activities":[{"type":"visit","contact_email":"batch{{n}}@example.com"}]}"""),
        (n, tenant) => HubSpotTesting.SignedV3("/webhooks/hubspot",
            HubSpotTesting.Json(HubSpotTesting.ContactChange(long.Parse(tenant.Values["portal"], CultureInfo.InvariantCulture), 10_000 + n, "email", $"hub{n}@example.com")),
            HubSpotSecret, publicBase: address.GetLeftPart(UriPartial.Authority)),
        (_, tenant) => new HttpRequestMessage(HttpMethod.Get, $"/api/leads/contacts/{tenant.Values["contact"]}/history"),
    ];

    static HttpRequestMessage Json(HttpMethod method, string path, string body) =>
        new(method, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };

    static async Task Expect(HttpResponseMessage response) =>
        Assert.True(response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created, $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
}
