using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Apis;

public sealed class Executing_transitions(LeadsApp app) : IClassFixture<LeadsApp>
{
    static async Task<Guid> CreateContact(HttpClient client, string email) =>
        (await (await client.Post("/api/leads/contacts", new { email, source = "ads", channel = "meta" })).Json()).GetProperty("id").GetGuid();

    [Fact]
    public async Task Every_tenant_starts_with_the_eight_default_states_and_their_transitions()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var states = await (await client.GetAsync("/api/leads/states")).Json();
        Assert.Equal(["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dormant"],
            states.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.True(states.EnumerateArray().Single(s => s.GetProperty("name").GetString() == "won").GetProperty("is_terminal").GetBoolean());
        var transitions = await (await client.GetAsync("/api/leads/transitions")).Json();
        Assert.Equal(8, transitions.GetArrayLength());
    }

    [Fact]
    public async Task A_transition_writes_history_and_publishes_LeadStateChanged_and_LeadWon()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await CreateContact(client, "deal@example.com");
        foreach (var state in new[] { "contacted", "qualified", "proposal", "negotiation" })
            Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = state })).StatusCode);

        var won = await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "won", notes = "Signed", triggered_by = "user-42" });
        Assert.Equal(HttpStatusCode.Created, won.StatusCode);
        var entry = await won.Json();
        Assert.Equal("negotiation", entry.GetProperty("from_state").GetString());
        Assert.Equal("user", entry.GetProperty("source").GetString());

        var changed = await app.Events.WaitFor<LeadStateChanged>(e => e.ContactId == id && e.ToState == "won");
        Assert.Equal("negotiation", changed.FromState);
        Assert.Equal("Signed", changed.Notes);
        Assert.Equal("user-42", changed.TriggeredBy);
        Assert.True(changed.ToTerminal);
        var leadWon = await app.Events.WaitFor<LeadWon>(e => e.ContactId == id);
        Assert.Equal("meta", leadWon.Channel);

        var history = await (await client.GetAsync($"/api/leads/contacts/{id}/history")).Json();
        Assert.Equal(5, history.GetArrayLength());
        Assert.All(history.EnumerateArray().Skip(1), h => Assert.True(h.GetProperty("seconds_in_previous_state").GetDouble() >= 0));
    }

    [Fact]
    public async Task Changes_to_states_and_transitions_made_elsewhere_apply_to_the_next_transition()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var id = await CreateContact(client, "replica@example.com");
        Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "contacted" })).StatusCode);

        // Another replica (here: plain SQL, past this process) removes "any → dormant" and adds a state reachable from contacted.
        Assert.Equal(1L, await app.Database.ScalarAsync<long>("""
            with d as (delete from leads.lead_transitions t using leads.lead_states s
                       where t.tenant_id = $1 and s.tenant_id = $1 and s.id = t.to_state_id and s.name = 'dormant' and t.from_state_id is null
                       returning 1)
            select count(*) from d
            """, tenant));
        await app.Database.ScalarAsync<long>("""
            with s as (insert into leads.lead_states (tenant_id, id, name, position) values ($1, gen_random_uuid(), 'nurturing', 9) returning id),
                 t as (insert into leads.lead_transitions (tenant_id, id, from_state_id, to_state_id, name)
                       select $1, gen_random_uuid(), c.id, s.id, 'contacted → nurturing' from s, leads.lead_states c where c.tenant_id = $1 and c.name = 'contacted'
                       returning 1)
            select count(*) from t
            """, tenant);

        var refused = await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "dormant" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        var moved = await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "nurturing" });
        Assert.Equal(HttpStatusCode.Created, moved.StatusCode);
        Assert.Equal("nurturing", (await moved.Json()).GetProperty("to_state").GetString());
    }

    [Fact]
    public async Task A_transition_that_is_not_allowed_is_a_409_listing_the_allowed_targets()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await CreateContact(client, "skip@example.com");
        var response = await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "won" });
        Assert.Equal(HttpStatusCode.Conflict, response.StatusCode);
        var problem = await response.Json();
        Assert.Equal("new", problem.GetProperty("current_state").GetString());
        Assert.Equal(["contacted", "lost", "dormant"], problem.GetProperty("allowed_targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.lead_state_history where contact_id = $1", id));
    }

    [Fact]
    public async Task A_transition_that_requires_notes_is_refused_without_them()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var created = await client.Post("/api/leads/transitions", new { from_state = "new", to_state = "qualified", requires_notes = true });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var transitionId = (await created.Json()).GetProperty("id").GetGuid();
        var id = await CreateContact(client, "notes@example.com");

        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await client.Post($"/api/leads/contacts/{id}/transitions", new { transition_id = transitionId })).StatusCode);
        var ok = await client.Post($"/api/leads/contacts/{id}/transitions", new { transition_id = transitionId, notes = "Budget confirmed" });
        Assert.Equal(HttpStatusCode.Created, ok.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await client.Post("/api/leads/transitions", new { from_state = "new", to_state = "qualified" })).StatusCode);
    }

    [Fact]
    public async Task States_can_be_created_updated_and_deleted_but_not_while_in_use()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var created = await client.Post("/api/leads/states", new { name = "nurturing", color = "purple", description = "Long-term nurture" });
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var stateId = (await created.Json()).GetProperty("id").GetGuid();
        Assert.Equal(HttpStatusCode.Conflict, (await client.Post("/api/leads/states", new { name = "nurturing" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.Patch($"/api/leads/states/{stateId}", new { color = "violet" })).StatusCode);
        await client.Post("/api/leads/transitions", new { from_state = "new", to_state = "nurturing" });

        var id = await CreateContact(client, "nurture@example.com");
        Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "nurturing" })).StatusCode);
        var inUse = await client.DeleteAsync($"/api/leads/states/{stateId}");
        Assert.Equal(HttpStatusCode.Conflict, inUse.StatusCode);
        Assert.Equal(1, (await inUse.Json()).GetProperty("contacts_in_state").GetInt32());

        Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "lost" })).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/leads/states/{stateId}")).StatusCode);
        Assert.DoesNotContain((await (await client.GetAsync("/api/leads/states")).Json()).EnumerateArray(), s => s.GetProperty("name").GetString() == "nurturing");
    }

    [Fact]
    public async Task A_bulk_transition_reports_each_contact()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var fresh = await CreateContact(client, "bulk1@example.com");
        var alreadyLost = await CreateContact(client, "bulk2@example.com");
        await client.Post($"/api/leads/contacts/{alreadyLost}/transitions", new { to_state = "lost" });
        var foreign = await CreateContact(app.ClientFor(Guid.NewGuid()), "other@example.com");

        var result = await (await client.Post("/api/leads/transitions/bulk", new { contact_ids = new[] { fresh, alreadyLost, foreign }, to_state = "contacted" })).Json();
        Assert.Equal(1, result.GetProperty("succeeded").GetInt32());
        Assert.Equal(2, result.GetProperty("failed").GetInt32());
        var byId = result.GetProperty("results").EnumerateArray().ToDictionary(r => r.GetProperty("contact_id").GetGuid(), r => r.GetProperty("status_code").GetInt32());
        Assert.Equal(201, byId[fresh]);
        Assert.Equal(409, byId[alreadyLost]);
        Assert.Equal(404, byId[foreign]);
    }

    [Fact]
    public async Task Activities_create_unknown_contacts_move_last_interaction_and_are_listed()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var batch = Enumerable.Range(0, 250).Select(i => new
        {
            type = i % 2 == 0 ? "page.viewed" : "checkout.completed", contact_email = $"buyer{i % 50}@shop.test",
            metadata = new { product = "P2P", i }, occurred_at = DateTimeOffset.UtcNow.AddMinutes(-i),
        }).ToArray();
        var response = await client.Post("/api/leads/activities/batch", new { activities = batch });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var result = await response.Json();
        Assert.Equal(250, result.GetProperty("recorded").GetInt32());
        Assert.Equal(50, result.GetProperty("contacts_created").GetInt32());

        var contacts = await (await client.GetAsync("/api/leads/contacts?limit=200")).Json();
        Assert.Equal(50, contacts.GetProperty("items").GetArrayLength());
        var buyer0 = contacts.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("email").GetString() == "buyer0@shop.test");
        var feed = await (await client.GetAsync($"/api/leads/contacts/{buyer0.GetProperty("id").GetGuid()}/activities?type=checkout.completed")).Json();
        Assert.All(feed.GetProperty("items").EnumerateArray(), a => Assert.Equal("checkout.completed", a.GetProperty("type").GetString()));
        Assert.Equal(JsonValueKind.String, buyer0.GetProperty("last_interaction_at").ValueKind);
        await app.Events.WaitFor<ActivityRecorded>(a => a.ContactEmail == "buyer0@shop.test" && a.Type == "page.viewed");
    }

    [Fact]
    public async Task The_activity_feed_filters_by_contact_type_and_time()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var at = DateTimeOffset.UtcNow.AddHours(-1);
        var batch = new[]
        {
            new { type = "page.viewed", contact_email = "one@shop.test", occurred_at = at },
            new { type = "checkout.completed", contact_email = "one@shop.test", occurred_at = at.AddMinutes(10) },
            new { type = "page.viewed", contact_email = "two@shop.test", occurred_at = at.AddMinutes(20) },
        };
        Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/activities/batch", new { activities = batch })).StatusCode);
        var one = await CreateContact(client, "one@shop.test");

        async Task<string[]> Feed(string query) => (await (await client.GetAsync($"/api/leads/activities?{query}")).Json())
            .GetProperty("items").EnumerateArray().Select(a => a.GetProperty("type").GetString()!).ToArray();
        static string Time(DateTimeOffset time) => Uri.EscapeDataString(time.ToString("O", System.Globalization.CultureInfo.InvariantCulture));

        Assert.Equal(["checkout.completed", "page.viewed"], await Feed($"contact_id={one}"));
        Assert.Equal(["page.viewed", "page.viewed"], await Feed("type=page.viewed"));
        Assert.Equal(["page.viewed", "checkout.completed"], await Feed($"from={Time(at.AddMinutes(5))}"));
        Assert.Equal(["checkout.completed"], await Feed($"contact_id={one}&from={Time(at.AddMinutes(5))}&to={Time(at.AddMinutes(15))}"));
    }

    [Fact]
    public async Task A_deleted_transition_no_longer_allows_the_move()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var transitions = await (await client.GetAsync("/api/leads/transitions")).Json();
        var newToContacted = transitions.EnumerateArray()
            .Single(t => t.GetProperty("from_state").GetString() == "new" && t.GetProperty("to_state").GetString() == "contacted").GetProperty("id").GetGuid();

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/leads/transitions/{newToContacted}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/leads/transitions/{newToContacted}")).StatusCode);

        var id = await CreateContact(client, "stuck@example.com");
        var refused = await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "contacted" });
        Assert.Equal(HttpStatusCode.Conflict, refused.StatusCode);
        Assert.DoesNotContain("contacted", (await refused.Json()).GetProperty("allowed_targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
    }

    [Fact]
    public async Task A_batch_with_one_bad_activity_writes_nothing()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var response = await client.Post("/api/leads/activities/batch", new
        {
            activities = new object[] { new { type = "ok", contact_email = "fine@example.com" }, new { type = "", contact_email = "broken" } },
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        Assert.True(errors.TryGetProperty("activities[1].type", out _));
        Assert.True(errors.TryGetProperty("activities[1].contact_email", out _));
        Assert.Equal(0, (await (await client.GetAsync("/api/leads/contacts")).Json()).GetProperty("items").GetArrayLength());
    }
}
