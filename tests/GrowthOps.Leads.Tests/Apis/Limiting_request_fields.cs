using System.Net;
using System.Text;

namespace GrowthOps.Leads.Tests.Apis;

/// <summary>
/// Every field of a request has a limit: over it, a 400 problem names the field (or, for a body over the route's size, a 413)
/// and nothing is written. What a contact or a tenant holds in all is capped too (422, naming the limit).
/// </summary>
public sealed class Limiting_request_fields(LeadsApp app) : IClassFixture<LeadsApp>
{
    static string Text(int length) => new('x', length);

    static Dictionary<string, object?> Members(int count, Func<int, object?> value) =>
        Enumerable.Range(0, count).ToDictionary(i => $"k{i}", value);

    static object Nested(int depth) => depth == 0 ? "leaf" : new Dictionary<string, object?> { ["n"] = Nested(depth - 1) };

    /// <summary>A body over one limit, where it goes (<c>{contact}</c> is a contact of the tenant) and the field the 400 names.</summary>
    public static TheoryData<string, string, object, string> OverALimit => new()
    {
        { "POST", "/api/leads/contacts", new { email = "big@example.com", attributes = new { notes = Text(17_000) } }, "attributes" },
        { "POST", "/api/leads/contacts", new { email = "key@example.com", attributes = new Dictionary<string, object?> { [Text(101)] = 1 } }, "attributes" },
        { "POST", "/api/leads/contacts", new { email = "many@example.com", attributes = Members(101, i => i) }, "attributes" },
        { "POST", "/api/leads/contacts", new { email = "deep@example.com", attributes = new { a = Nested(5) } }, "attributes" },
        { "POST", "/api/leads/contacts", new { email = "tags@example.com", tags = Enumerable.Range(0, 101).Select(i => $"t{i}") }, "tags" },
        { "POST", "/api/leads/contacts", new { email = "tag@example.com", tags = new[] { Text(65) } }, "tags" },
        { "POST", "/api/leads/contacts", new { email = "name@example.com", first_name = Text(501) }, "first_name" },
        { "PATCH", "/api/leads/contacts/{contact}", new { attributes = new { notes = Text(17_000) } }, "attributes" },
        { "PATCH", "/api/leads/contacts/{contact}", new { company = Text(501) }, "company" },
        { "POST", "/api/leads/states", new { name = "long_description", description = Text(1001) }, "description" },
        { "POST", "/api/leads/transitions", new { from_state = "new", to_state = "won", name = Text(201) }, "name" },
        { "POST", "/api/leads/contacts/{contact}/transitions", new { to_state = "contacted", notes = Text(2001) }, "notes" },
        { "POST", "/api/leads/contacts/{contact}/transitions", new { to_state = "contacted", triggered_by = Text(201) }, "triggered_by" },
        { "POST", "/api/leads/transitions/bulk", new { contact_ids = new[] { Guid.NewGuid() }, to_state = "contacted", notes = Text(2001) }, "notes" },
        { "POST", "/api/leads/activities", new { type = "page.viewed", contact_email = "meta@example.com", metadata = new { blob = Text(17_000) } }, "metadata" },
        { "POST", "/api/leads/activities", new { type = Text(101), contact_email = "type@example.com" }, "type" },
        {
            "POST", "/api/leads/activities/batch", new
            {
                activities = new object[]
                {
                    new { type = "page.viewed", contact_email = "one@example.com" },
                    new { type = "page.viewed", contact_email = "two@example.com", metadata = Members(101, i => i) },
                },
            },
            "activities[1].metadata"
        },
        {
            "POST", "/api/leads/automations", new
            {
                name = "huge list", trigger = "on_enter", state = "qualified",
                conditions = new[] { new { field = "company", @operator = "in", value = Enumerable.Range(0, 100_000).Select(i => $"c{i}") } },
                actions = new[] { new { type = "add_tag", tag = "x" } },
            },
            "conditions[0].value"
        },
        {
            "POST", "/api/leads/automations", new
            {
                name = "long notes", trigger = "on_enter", state = "qualified",
                actions = new[] { new { type = "change_state", to_state = "won", notes = Text(2001) } },
            },
            "actions[0].notes"
        },
        {
            "POST", "/api/leads/automations", new
            {
                name = "many variables", trigger = "on_enter", state = "qualified",
                actions = new[] { new { type = "start_workflow", workflow_id = Guid.NewGuid(), variables = Members(51, i => i) } },
            },
            "actions[0].variables"
        },
        { "PUT", "/api/leads/integrations/hubspot", new { portal_ids = new[] { 1L }, client_secret = Text(513) }, "client_secret" },
        { "POST", "/api/synthex/leads/state", new { action = "create_state", name = "seeded", description = Text(1001) }, "description" },
    };

    [Theory]
    [MemberData(nameof(OverALimit))]
    public async Task A_field_over_its_limit_is_a_400_naming_it_and_nothing_is_written(string method, string route, object body, string field)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"limits-{Guid.NewGuid():N}@example.com");
        var before = await RowsOf(tenant);

        var response = await Send(client, method, route.Replace("{contact}", contact.ToString(), StringComparison.Ordinal), body);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty(field, out _), $"errors name {string.Join(", ", errors.EnumerateObject().Select(e => e.Name))}, not {field}");
        Assert.Equal(before, await RowsOf(tenant));
    }

    [Theory]
    [InlineData("POST", "/api/leads/contacts")]
    [InlineData("PATCH", "/api/leads/contacts/{contact}")]
    [InlineData("POST", "/api/leads/states")]
    [InlineData("POST", "/api/leads/contacts/{contact}/transitions")]
    [InlineData("POST", "/api/leads/automations")]
    public async Task A_body_over_a_megabyte_is_a_413_and_nothing_is_written(string method, string route)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"huge-{Guid.NewGuid():N}@example.com");
        var before = await RowsOf(tenant);

        var response = await Send(client, method, route.Replace("{contact}", contact.ToString(), StringComparison.Ordinal),
            new { email = "huge@example.com", name = "huge", to_state = "contacted", description = Text(3 * 1024 * 1024) });

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(before, await RowsOf(tenant));
    }

    [Fact]
    public async Task The_activity_batch_takes_a_body_of_several_megabytes()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var activities = Enumerable.Range(0, 300).Select(i => new { type = "page.viewed", contact_email = $"reader{i}@example.com", metadata = new { text = Text(10_000) } });

        var response = await client.Post("/api/leads/activities/batch", new { activities });

        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        Assert.Equal(300, (await response.Json()).GetProperty("recorded").GetInt32());
    }

    [Fact]
    public async Task Fields_at_their_limits_are_accepted()
    {
        var client = app.ClientFor(Guid.NewGuid());

        var contact = await client.CreateContact(new
        {
            email = $"{Text(64)}@example.com", first_name = Text(500), attributes = Members(100, i => Text(100)),
            tags = Enumerable.Range(0, 100).Select(i => $"{i}{Text(60)}"),
        });
        var moved = await client.Post($"/api/leads/contacts/{contact}/transitions", new { to_state = "contacted", notes = Text(2000), triggered_by = Text(200) });

        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        Assert.Equal(100, (await client.Contact(contact)).GetProperty("tags").GetArrayLength());
    }

    [Fact]
    public async Task A_contact_keeps_at_most_100_tags_in_all()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var tags = Enumerable.Range(0, 100).Select(i => $"tag{i}").ToArray();
        var id = await client.CreateContact(new { email = "tagged@example.com", tags });

        var oneMore = await client.PostAsync($"/api/leads/contacts/{id}/tags/one-more", null);
        var merged = await client.Post("/api/leads/contacts", new { email = "tagged@example.com", tags = new[] { "merged" } });

        foreach (var refused in new[] { oneMore, merged })
        {
            Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
            var problem = await refused.Json();
            Assert.Equal("tags", problem.GetProperty("field").GetString());
            Assert.Equal(100, problem.GetProperty("limit").GetInt32());
        }

        Assert.Equal(tags.Order(), (await client.Contact(id)).GetProperty("tags").EnumerateArray().Select(t => t.GetString()!).Order());
        Assert.Equal(HttpStatusCode.OK, (await client.DeleteAsync($"/api/leads/contacts/{id}/tags/tag0")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsync($"/api/leads/contacts/{id}/tags/one-more", null)).StatusCode);
    }

    [Fact]
    public async Task A_contact_keeps_at_most_100_attributes_in_all()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact(new { email = "attributed@example.com", attributes = Members(60, i => i) });

        var refused = await client.Patch($"/api/leads/contacts/{id}", new { attributes = Enumerable.Range(60, 41).ToDictionary(i => $"k{i}", i => i) });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal("attributes", (await refused.Json()).GetProperty("field").GetString());
        Assert.Equal(60, (await client.Contact(id)).GetProperty("attributes").EnumerateObject().Count());
    }

    [Fact]
    public async Task A_tenant_has_at_most_50_lead_states()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        for (var i = 0; i < 42; i++)
            Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/states", new { name = $"custom_{i}" })).StatusCode);

        var refused = await client.Post("/api/leads/states", new { name = "one_too_many" });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.StatusCode);
        Assert.Equal(50, (await refused.Json()).GetProperty("limit").GetInt32());
        Assert.Equal(50L, await app.Database.ScalarAsync<long>("select count(*) from leads.lead_states where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task A_tenant_has_at_most_100_automations()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        object Automation(int i) => new { name = $"rule {i}", trigger = "on_enter", state = "qualified", actions = new[] { new { type = "add_tag", tag = $"t{i}" } } };
        // Concurrently: the limit holds when creations race.
        var created = await Task.WhenAll(Enumerable.Range(0, 104).Select(i => client.Post("/api/leads/automations", Automation(i))));

        Assert.Equal(100, created.Count(r => r.StatusCode == HttpStatusCode.Created));
        Assert.All(created.Where(r => r.StatusCode != HttpStatusCode.Created), r => Assert.Equal(HttpStatusCode.UnprocessableEntity, r.StatusCode));
        Assert.Equal(100L, await app.Database.ScalarAsync<long>("select count(*) from leads.lead_state_automations where tenant_id = $1", tenant));
    }

    static Task<HttpResponseMessage> Send(HttpClient client, string method, string route, object body) => method switch
    {
        "POST" => client.Post(route, body),
        "PATCH" => client.Patch(route, body),
        _ => client.PutAsync(route, new StringContent(System.Text.Json.JsonSerializer.Serialize(body, LeadsApp.Json), Encoding.UTF8, "application/json")),
    };

    /// <summary>What the tenant has stored, table by table.</summary>
    async Task<string> RowsOf(Guid tenant)
    {
        string[] tables = ["contacts", "lead_states", "lead_transitions", "activities", "lead_state_history", "lead_state_automations", "hubspot_integrations"];
        var counts = new List<string>();
        foreach (var table in tables)
            counts.Add($"{table}={await app.Database.ScalarAsync<long>($"select count(*) from leads.{table} where tenant_id = $1", tenant)}");
        return string.Join(' ', counts);
    }
}
