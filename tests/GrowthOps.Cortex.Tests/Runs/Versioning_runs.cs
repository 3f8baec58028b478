using System.Net;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Runs;

/// <summary>Runs stay on the version they started on; moving waiting runs to a newer one is explicit, node ids mapped.</summary>
public sealed class Versioning_runs(CortexApp app) : IClassFixture<CortexApp>
{
    static object Graph(string version, string delayId) => new
    {
        nodes = new[]
        {
            Node("t1", "trigger", new { trigger_type = "custom.event" }),
            Node("a1", "action", new { action_type = "add_tag", config = new { tag = $"{version}-first" } }),
            Node(delayId, "delay", new { duration = new { amount = 3, unit = "seconds" } }),
            Node("a2", "action", new { action_type = "add_tag", config = new { tag = $"{version}-second" } }),
        },
        edges = new[]
        {
            new { id = "e1", source = "t1", target = "a1" }, new { id = "e2", source = "a1", target = delayId }, new { id = "e3", source = delayId, target = "a2" },
        },
    };

    [Fact]
    public async Task A_run_pinned_to_v1_finishes_on_v1_after_v2_is_published_unless_it_is_migrated_with_its_node_ids_mapped()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var id = (await (await client.Post("/api/cortex/workflows", new { name = "Versions", graph = Graph("v1", "d1"), reentry = "always" }))
            .Expect(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);

        var (stays, moves) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var contact in new[] { stays, moves })
            await app.Bus.Bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), contact, null, "versioned.event", null, DateTimeOffset.UtcNow));
        var runs = await Eventually.Until(async () => (await client.GetJson($"/api/cortex/runs?workflow_id={id}")).GetProperty("items").EnumerateArray().ToList(),
            r => r.Count == 2 && r.All(x => x.GetProperty("status").GetString() == "waiting"), TimeSpan.FromSeconds(20), "both v1 runs wait in the delay");
        var moving = runs.Single(r => r.GetProperty("contact_id").GetGuid() == moves).GetProperty("id").GetGuid();
        var staying = runs.Single(r => r.GetProperty("contact_id").GetGuid() == stays).GetProperty("id").GetGuid();

        // v2 renames the delay and changes the tags.
        await (await client.Patch($"/api/cortex/workflows/{id}", new { graph = Graph("v2", "wait-3s") })).Expect(HttpStatusCode.OK);
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);

        // Without a map, the runs wait in a node v2 does not have: nothing moves. Mapped to a node of another type: refused too.
        var unmapped = await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate", new { from_version = 1, run_ids = new[] { moving } }))
            .Expect(HttpStatusCode.OK);
        Assert.Empty(unmapped.GetProperty("migrated").EnumerateArray());
        Assert.Contains("'d1'", unmapped.GetProperty("skipped").GetProperty(moving.ToString()).GetString());
        var wrongType = await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate",
            new { from_version = 1, node_map = new Dictionary<string, string> { ["d1"] = "a2" }, run_ids = new[] { moving } })).Expect(HttpStatusCode.OK);
        Assert.Contains("same type", wrongType.GetProperty("skipped").GetProperty(moving.ToString()).GetString());

        var migrated = await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate",
            new { from_version = 1, node_map = new Dictionary<string, string> { ["d1"] = "wait-3s" }, run_ids = new[] { moving } })).Expect(HttpStatusCode.OK);
        Assert.Equal([moving], migrated.GetProperty("migrated").EnumerateArray().Select(x => x.GetGuid()));
        Assert.Equal(2, (await client.GetJson($"/api/cortex/runs/{moving}")).GetProperty("version").GetInt32());

        // The staying run wakes on v1 (its delay's message names d1); the migrated one wakes in v2's wait-3s and goes on in v2.
        var stayed = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.ContactId == stays && m.Tag.EndsWith("-second", StringComparison.Ordinal));
        var moved = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.ContactId == moves && m.Tag.EndsWith("-second", StringComparison.Ordinal));
        Assert.Equal(("v1-second", "v2-second"), (stayed.Tag, moved.Tag));
        var done = await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{staying}"), r => r.GetProperty("status").GetString() == "completed",
            TimeSpan.FromSeconds(20), "the v1 run completes");
        Assert.Equal(1, done.GetProperty("version").GetInt32());
        var logs = (await client.GetJson($"/api/cortex/runs/{moving}/logs")).EnumerateArray().ToList();
        Assert.Contains(logs, l => l.GetProperty("message").GetString() == "Migrated from version 1 to version 2");
        Assert.Contains(logs, l => l.GetProperty("node_id").GetString() == "wait-3s" && l.GetProperty("message").GetString() == "Resumed after the delay");

        // Bad requests: an unknown version, the same version, a finished run set.
        await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate", new { from_version = 7 })).Expect(HttpStatusCode.NotFound);
        await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate", new { from_version = 2 })).Expect(HttpStatusCode.Conflict);
        Assert.Empty((await (await client.Post($"/api/cortex/workflows/{id}/runs/migrate", new { from_version = 1 })).Expect(HttpStatusCode.OK))
            .GetProperty("migrated").EnumerateArray());
    }
}
