using System.Net;
using System.Text.Json;

namespace GrowthOps.Cortex.Tests.Workflows;

/// <summary>Workflows as a builder saves them: drafts, validation errors by node and field, immutable published versions, status.</summary>
public sealed class Designing_workflows(CortexApp app) : IClassFixture<CortexApp>
{
    /// <summary>The seed's verification flow as React Flow saves it: checkout → email → wait a day → branch on opened → tag.</summary>
    static object CheckoutFlow(string subject = "Thanks, {{contact.first_name}}!") => new
    {
        nodes = new object[]
        {
            new { id = "t1", type = "trigger", position = new { x = 0, y = 0 }, data = new { trigger_type = "checkout.completed", label = "Checkout" } },
            new { id = "a1", type = "action", position = new { x = 0, y = 120 }, data = new { action_type = "send_email", config = new { subject, body = "<p>Welcome</p>" } } },
            new { id = "d1", type = "delay", position = new { x = 0, y = 240 }, data = new { duration = new { amount = 1, unit = "days" } } },
            new { id = "c1", type = "condition", position = new { x = 0, y = 360 },
                  data = new { conditions = new[] { new { field = "event.type", @operator = "equals", value = "email.opened" } } } },
            new { id = "a2", type = "action", position = new { x = -100, y = 480 }, data = new { action_type = "add_tag", config = new { tag = "engaged" } } },
            new { id = "s1", type = "stop", position = new { x = 100, y = 480 }, data = new { } },
        },
        edges = new object[]
        {
            new { id = "e1", source = "t1", target = "a1" }, new { id = "e2", source = "a1", target = "d1" }, new { id = "e3", source = "d1", target = "c1" },
            new { id = "e4", source = "c1", target = "a2", sourceHandle = "true" }, new { id = "e5", source = "c1", target = "s1", sourceHandle = "false" },
        },
    };

    [Fact]
    public async Task A_draft_is_stored_as_the_builder_saved_it_and_published_as_immutable_versions()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = CheckoutFlow();
        var created = await (await client.Post("/api/cortex/workflows", new { name = "Post-purchase", graph, reentry = "once_per_days", reentry_days = 30 }))
            .Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(("draft", JsonValueKind.Null), (created.GetProperty("status").GetString(), created.GetProperty("current_version").ValueKind));
        // Stored as given: positions, labels and the builder's own members come back unchanged.
        var stored = (await client.GetJson($"/api/cortex/workflows/{id}")).GetProperty("graph");
        var sent = System.Text.Json.Nodes.JsonNode.Parse(JsonSerializer.Serialize(graph, CortexApp.Json));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(sent, System.Text.Json.Nodes.JsonNode.Parse(stored.GetRawText())), stored.GetRawText());
        // Member order too (a builder diffing its own save sees no change).
        Assert.Equal(["nodes", "edges"], stored.EnumerateObject().Select(p => p.Name));
        Assert.Equal(["id", "type", "position", "data"], stored.GetProperty("nodes")[0].EnumerateObject().Select(p => p.Name));

        var v1 = await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        Assert.Equal((1, "checkout.completed"), (v1.GetProperty("version").GetInt32(), v1.GetProperty("trigger_type").GetString()));
        var live = await client.GetJson($"/api/cortex/workflows/{id}");
        Assert.Equal(("active", 1), (live.GetProperty("status").GetString(), live.GetProperty("current_version").GetInt32()));

        // Editing the draft leaves version 1 as it was; publishing again makes version 2 the live one.
        await (await client.Patch($"/api/cortex/workflows/{id}", new { graph = CheckoutFlow("Your order, {{contact.first_name}}") })).Expect(HttpStatusCode.OK);
        Assert.Equal(1, (await client.GetJson($"/api/cortex/workflows/{id}")).GetProperty("current_version").GetInt32());
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        var versions = (await client.GetJson($"/api/cortex/workflows/{id}/versions")).EnumerateArray().ToList();
        Assert.Equal([1, 2], versions.Select(v => v.GetProperty("version").GetInt32()));
        string Subject(JsonElement v) => v.GetProperty("graph").GetProperty("nodes")[1].GetProperty("data").GetProperty("config").GetProperty("subject").GetString()!;
        Assert.Equal("Thanks, {{contact.first_name}}!", Subject(await client.GetJson($"/api/cortex/workflows/{id}/versions/1")));
        Assert.Equal("Your order, {{contact.first_name}}", Subject(versions[1]));
        // The database itself refuses to change a published version.
        await Assert.ThrowsAnyAsync<Exception>(() => app.Database.ScalarAsync<int>(
            "update cortex.workflow_versions set trigger_type = 'x' where workflow_id = $1 returning version", id));

        // Paused: no trigger; resumed: the live version's trigger again; archived: final.
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select count(*) from cortex.workflow_triggers where workflow_id = $1 and version = 2", id));
        Assert.Equal("paused", (await (await client.PostAsync($"/api/cortex/workflows/{id}/pause", null)).Expect(HttpStatusCode.OK)).GetProperty("status").GetString());
        Assert.Equal(0, await app.Database.ScalarAsync<long>("select count(*) from cortex.workflow_triggers where workflow_id = $1", id));
        await (await client.PostAsync($"/api/cortex/workflows/{id}/resume", null)).Expect(HttpStatusCode.OK);
        Assert.Equal("checkout.completed", await app.Database.ScalarAsync<string>("select event_type from cortex.workflow_triggers where workflow_id = $1", id));
        await (await client.PostAsync($"/api/cortex/workflows/{id}/archive", null)).Expect(HttpStatusCode.OK);
        await (await client.PostAsync($"/api/cortex/workflows/{id}/resume", null)).Expect(HttpStatusCode.Conflict);
        await (await client.Patch($"/api/cortex/workflows/{id}", new { name = "Again" })).Expect(HttpStatusCode.Conflict);

        // Duplicated and exported/imported: a new draft with the same graph, never the original's versions.
        var copy = await (await client.PostAsync($"/api/cortex/workflows/{id}/duplicate", null)).Expect(HttpStatusCode.Created);
        Assert.Equal(("Post-purchase (copy)", "draft", JsonValueKind.Null), (copy.GetProperty("name").GetString(), copy.GetProperty("status").GetString(),
            copy.GetProperty("current_version").ValueKind));
        var exported = await client.GetJson($"/api/cortex/workflows/{id}/export");
        Assert.Equal("growthops.workflow/v1", exported.GetProperty("format").GetString());
        var elsewhere = app.ClientFor(Guid.NewGuid());
        var imported = await (await elsewhere.PostAsync("/api/cortex/workflows/import",
            new StringContent(exported.GetRawText(), System.Text.Encoding.UTF8, "application/json"))).Expect(HttpStatusCode.Created);
        Assert.Equal(("Post-purchase", 30), (imported.GetProperty("name").GetString(), imported.GetProperty("reentry_days").GetInt32()));
        Assert.True(System.Text.Json.Nodes.JsonNode.DeepEquals(System.Text.Json.Nodes.JsonNode.Parse(exported.GetProperty("graph").GetRawText()),
            System.Text.Json.Nodes.JsonNode.Parse(imported.GetProperty("graph").GetRawText())));
        await (await elsewhere.Post("/api/cortex/workflows/import", new { format = "n8n", name = "x", graph = CheckoutFlow() })).Expect(HttpStatusCode.BadRequest);

        // Another tenant sees none of it.
        var stranger = app.ClientFor(Guid.NewGuid());
        await (await stranger.GetAsync($"/api/cortex/workflows/{id}")).Expect(HttpStatusCode.NotFound);
        Assert.Empty((await stranger.GetJson("/api/cortex/workflows")).GetProperty("items").EnumerateArray());
        Assert.Single((await client.GetJson("/api/cortex/workflows?status=archived")).GetProperty("items").EnumerateArray());
        Assert.Equal(2, (await client.GetJson("/api/cortex/workflows")).GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task An_invalid_graph_is_kept_as_a_draft_and_every_problem_is_named_by_node_and_field()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var broken = new
        {
            nodes = new object[]
            {
                new { id = "t1", type = "trigger", data = new { trigger_type = "checkout.completed",
                      filter = new[] { new { field = "event.amount", @operator = "teleports", value = 1 } } } },
                new { id = "t2", type = "trigger", data = new { trigger_type = "no.such.event" } },
                new { id = "a1", type = "action", data = new { action_type = "add_tag", config = new { } } },
                new { id = "a2", type = "action", data = new { action_type = "teleport" } },
                new { id = "c1", type = "branch", data = new { conditions = new[] { new { field = "no_such_field", @operator = "equals", value = 1 } } } },
                new { id = "x1", type = "action", data = new { action_type = "add_note", config = new { body = "loop" } } },
                new { id = "lonely", type = "stop", data = new { } },
            },
            edges = new object[]
            {
                new { id = "e1", source = "t1", target = "a1" }, new { id = "e2", source = "a1", target = "c1" },
                new { id = "e3", source = "c1", target = "x1", sourceHandle = "true" }, new { id = "e4", source = "x1", target = "c1" },
                new { id = "e5", source = "c1", target = "ghost", sourceHandle = "false" }, new { id = "e6", source = "t2", target = "a2" },
            },
        };
        var id = (await (await client.Post("/api/cortex/workflows", new { name = "Broken", graph = broken })).Expect(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var result = await (await client.PostAsync($"/api/cortex/workflows/{id}/validate", null)).Expect(HttpStatusCode.OK);
        Assert.False(result.GetProperty("valid").GetBoolean());
        var errors = result.GetProperty("errors").EnumerateObject().ToDictionary(p => p.Name, p => string.Join(" | ", p.Value.EnumerateArray()));
        Assert.Contains("there are 2", errors["nodes"]);
        Assert.Contains("no trigger type", errors["nodes[t2].data.trigger_type"]);
        Assert.Contains("tag", errors["nodes[a1].data.config"]);
        Assert.Contains("no action", errors["nodes[a2].data.action_type"]);
        Assert.Contains("no node 'ghost'", errors["edges[e5].target"]);
        Assert.Contains("'false'", errors["nodes[c1].handles"]);
        Assert.Contains("no delay or wait_until", errors.Single(e => e.Key is "nodes[c1]" or "nodes[x1]").Value);
        Assert.Contains("cannot be reached", errors["nodes[lonely]"]);
        // Conditions and trigger filters are read by the shared criteria library, with its messages, at their exact paths.
        Assert.Contains("unknown operator 'teleports'", errors["nodes[t1].data.filter[0].operator"]);
        Assert.Contains("unknown field 'no_such_field'", errors["nodes[c1].data.conditions[0].field"]);

        var refused = await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.UnprocessableEntity);
        Assert.True(refused.GetProperty("errors").TryGetProperty("nodes[a2].data.action_type", out _));
        Assert.Empty((await client.GetJson($"/api/cortex/workflows/{id}/versions")).EnumerateArray());
        // Not a graph at all is a bad request, and nothing is stored.
        await (await client.Post("/api/cortex/workflows", new { name = "Not a graph", graph = new { nodes = "x" } })).Expect(HttpStatusCode.BadRequest);
        await (await client.Post("/api/cortex/workflows", new { graph = CheckoutFlow() })).Expect(HttpStatusCode.BadRequest);
        // A re-entry policy that is none of the three (found by the fuzzer: it was a 500 from the table's check).
        await (await client.Post("/api/cortex/workflows", new { name = "Odd", reentry = "sometimes" })).Expect(HttpStatusCode.BadRequest);
        await (await client.Post("/api/cortex/workflows", new { name = "Odd", reentry = "once_per_days", reentry_days = 0 })).Expect(HttpStatusCode.BadRequest);
        Assert.Single((await client.GetJson("/api/cortex/workflows")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task The_catalog_lists_every_trigger_and_action_with_the_schema_of_its_config()
    {
        var catalog = await app.ClientFor(Guid.NewGuid()).GetJson("/api/cortex/catalog");
        var triggers = catalog.GetProperty("triggers").EnumerateArray().Select(t => t.GetString()).ToHashSet();
        Assert.Superset(new HashSet<string?> { "contact.tag_added", "email.opened", "deal.stage_changed", "webhook.received", "schedule.cron", "custom.event" },
            triggers);
        var actions = catalog.GetProperty("actions");
        Assert.Equal("tag", actions.GetProperty("add_tag").GetProperty("required")[0].GetString());
        Assert.Equal(JsonValueKind.Null, actions.GetProperty("show_popup").ValueKind);
        Assert.Contains("ab_split", catalog.GetProperty("node_types").EnumerateArray().Select(t => t.GetString()));
    }
}
