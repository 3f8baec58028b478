using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Automations;

public sealed class Managing_automations(LeadsApp app) : IClassFixture<LeadsApp>
{
    static object Webhook(string secret) => new
    {
        name = "Notify", trigger = "on_transition", from_state = "Contacted", to_state = (string?)null,
        conditions = new object[] { new { field = "attributes.region", @operator = "equals", value = "emea" } },
        actions = new object[]
        {
            new { type = "webhook", url = "https://hooks.example.com/leads", secret },
            new { type = "change_state", to_state = "proposal", notes = "auto" },
        },
    };

    [Fact]
    public async Task Creates_reads_updates_and_deletes_an_automation_without_ever_showing_the_webhook_secret()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var created = await client.CreateAutomation(Webhook("top-secret-value"));
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal("on_transition", created.GetProperty("trigger").GetString());
        Assert.Equal("contacted", created.GetProperty("from_state").GetString());
        Assert.Equal(await client.StateId("contacted"), created.GetProperty("from_state_id").GetGuid());
        Assert.Equal(JsonValueKind.Null, created.GetProperty("to_state_id").ValueKind);
        Assert.True(created.GetProperty("is_active").GetBoolean());
        var actions = created.GetProperty("actions").EnumerateArray().ToArray();
        Assert.Equal("https://hooks.example.com/leads", actions[0].GetProperty("url").GetString());
        Assert.Equal("POST", actions[0].GetProperty("method").GetString());
        Assert.Equal(await client.StateId("proposal"), actions[1].GetProperty("to_state_id").GetGuid());
        Assert.DoesNotContain("top-secret-value", created.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain(actions[0].EnumerateObject(), p => p.Name.Contains("secret", StringComparison.Ordinal));
        // Stored encrypted, not in clear.
        var stored = await app.Database.ScalarAsync<string>("select actions::text from leads.lead_state_automations where id = $1", id);
        Assert.DoesNotContain("top-secret-value", stored, StringComparison.Ordinal);
        Assert.Contains("protected_secret", stored, StringComparison.Ordinal);

        var read = await (await client.GetAsync($"/api/leads/automations/{id}")).Json();
        Assert.Equal("Notify", read.GetProperty("name").GetString());
        Assert.Contains(id, (await (await client.GetAsync("/api/leads/automations")).Json()).EnumerateArray().Select(a => a.GetProperty("id").GetGuid()));

        // A PATCH that resends the actions as read (no secret) keeps the stored secret; absent members keep their values.
        var patch = await client.Patch($"/api/leads/automations/{id}", new
        {
            name = "Notify EMEA", is_active = false,
            actions = new object[] { new { type = "webhook", url = "https://hooks.example.com/leads" }, new { type = "add_tag", tag = "emea" } },
        });
        Assert.Equal(HttpStatusCode.OK, patch.StatusCode);
        var updated = await patch.Json();
        Assert.Equal("Notify EMEA", updated.GetProperty("name").GetString());
        Assert.False(updated.GetProperty("is_active").GetBoolean());
        Assert.Equal("contacted", updated.GetProperty("from_state").GetString());
        Assert.Single(updated.GetProperty("conditions").EnumerateArray());
        Assert.Equal(2, updated.GetProperty("actions").GetArrayLength());
        var afterPatch = await app.Database.ScalarAsync<string>("select actions::text from leads.lead_state_automations where id = $1", id);
        Assert.Contains("protected_secret", afterPatch, StringComparison.Ordinal);
        Assert.Empty((await (await client.GetAsync("/api/leads/automations?is_active=true")).Json()).EnumerateArray());

        // Changing the trigger drops the old state references.
        var retrigger = await client.Patch($"/api/leads/automations/{id}", new { trigger = "on_exit", state = "qualified" });
        Assert.Equal(HttpStatusCode.OK, retrigger.StatusCode);
        var retriggered = await retrigger.Json();
        Assert.Equal("qualified", retriggered.GetProperty("state").GetString());
        Assert.Equal(JsonValueKind.Null, retriggered.GetProperty("from_state_id").ValueKind);

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/leads/automations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/leads/automations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.DeleteAsync($"/api/leads/automations/{id}")).StatusCode);
    }

    [Fact]
    public async Task Invalid_automations_are_validation_problems_naming_the_fields()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var response = await client.Post("/api/leads/automations", new
        {
            trigger = "on_enter", from_state = "new",
            conditions = new object[]
            {
                new { field = "shoe_size", @operator = "equals", value = "42" },
                new { field = "tags", @operator = "starts_with", value = "v" },
                new { field = "score", @operator = "greater_than", value = "lots" },
                new { field = "company", @operator = "in", value = "Acme" },
            },
            actions = new object[]
            {
                new { type = "add_tag", tag = "Not OK!" },
                new { type = "webhook", url = "ftp://example.com/hook" },
                new { type = "start_workflow" },
                new { type = "teleport" },
            },
            is_active = "yes",
        });
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var errors = (await response.Json()).GetProperty("errors");
        foreach (var field in new[]
                 {
                     "name", "state", "from_state", "conditions[0].field", "conditions[1].operator", "conditions[2].value", "conditions[3].value",
                     "actions[0].tag", "actions[1].url", "actions[2].workflow_id", "actions[3].type", "is_active",
                 })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} in {errors}");

        var noActions = await client.Post("/api/leads/automations", new { name = "x", trigger = "on_exit", state = "new", actions = Array.Empty<object>() });
        Assert.Equal(HttpStatusCode.BadRequest, noActions.StatusCode);
        Assert.True((await noActions.Json()).GetProperty("errors").TryGetProperty("actions", out _));
        var noSecret = await client.Post("/api/leads/automations", new
        {
            name = "x", trigger = "on_exit", state = "new", actions = new object[] { new { type = "webhook", url = "https://example.com/hook" } },
        });
        Assert.True((await noSecret.Json()).GetProperty("errors").TryGetProperty("actions[0].secret", out _));
        Assert.Equal(0L, await app.Database.ScalarAsync<long>("select count(*) from leads.lead_state_automations where tenant_id = $1", tenant));
    }

    [Fact]
    public async Task An_unknown_state_is_unprocessable()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var trigger = await client.Post("/api/leads/automations", new
        {
            name = "x", trigger = "on_enter", state = "limbo", actions = new object[] { new { type = "add_tag", tag = "t" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, trigger.StatusCode);
        Assert.Equal("state", (await trigger.Json()).GetProperty("field").GetString());

        var action = await client.Post("/api/leads/automations", new
        {
            name = "x", trigger = "on_enter", state = "new", actions = new object[] { new { type = "change_state", to_state = "limbo" } },
        });
        Assert.Equal(HttpStatusCode.UnprocessableEntity, action.StatusCode);
        Assert.Equal("actions[0].to_state", (await action.Json()).GetProperty("field").GetString());
    }

    [Fact]
    public async Task Another_tenant_cannot_see_or_change_the_automations()
    {
        var owner = app.ClientFor(Guid.NewGuid());
        var id = await owner.CreateAutomationId(new
        {
            name = "Private", trigger = "on_enter", state = "won", actions = new object[] { new { type = "add_tag", tag = "customer" } },
        });

        var other = app.ClientFor(Guid.NewGuid());
        Assert.Empty((await (await other.GetAsync("/api/leads/automations")).Json()).EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/leads/automations/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/leads/automations/{id}/executions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Patch($"/api/leads/automations/{id}", new { is_active = false })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.DeleteAsync($"/api/leads/automations/{id}")).StatusCode);
        Assert.True((await (await owner.GetAsync($"/api/leads/automations/{id}")).Json()).GetProperty("is_active").GetBoolean());
    }
}
