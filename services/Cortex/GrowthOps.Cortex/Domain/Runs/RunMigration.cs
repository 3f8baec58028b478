using System.Text.Json.Nodes;
using GrowthOps.Cortex.Data;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// Moving live runs from the version they started on to another, explicitly: every node a run waits in must exist in the
/// target version under its mapped id (unmapped ids stay the same) and be of the same type. Messages already scheduled for a
/// run (a delay's wake-up, a held step) still name the old node ids, so the run keeps the map in its context
/// (<c>node_map</c>, old id → new id, composed over migrations) and the walker translates through it.
/// </summary>
public sealed class RunMigration(RunsStore runs, PublishedGraphs graphs, TimeProvider clock)
{
    public const string NodeMap = "node_map";

    public sealed record Outcome(IReadOnlyList<Guid> Migrated, IReadOnlyDictionary<Guid, string> Skipped);

    /// <summary>The node <paramref name="nodeId"/> of a message is in the run's current version (through the run's node map).</summary>
    public static string Translate(JsonObject context, string nodeId) =>
        context[NodeMap] is JsonObject map && map[nodeId] is JsonValue v && v.TryGetValue<string>(out var mapped) ? mapped : nodeId;

    public async Task<Outcome> MigrateAsync(Guid workflowId, int from, int to, IReadOnlyDictionary<string, string> map, IReadOnlyList<Guid>? only,
        CancellationToken ct)
    {
        var source = await graphs.GetAsync(workflowId, from, ct);
        var target = await graphs.GetAsync(workflowId, to, ct);
        var migrated = new List<Guid>();
        var skipped = new Dictionary<Guid, string>();
        var now = clock.GetUtcNow().UtcDateTime;
        foreach (var run in await runs.LiveOfVersionAsync(workflowId, from, ct))
        {
            if (only is not null && !only.Contains(run.Id))
                continue;
            if (run.Status == "running")
            {
                skipped[run.Id] = "running: a step is under way (migrate it once it waits)";
                continue;
            }

            var problems = new List<string>();
            foreach (var position in (await runs.WaitingNodesAsync(run.Id, ct)).Distinct())
            {
                var old = source.Nodes.FirstOrDefault(n => n.Id == position);
                var newId = map.GetValueOrDefault(position, position);
                var now2 = target.Nodes.FirstOrDefault(n => n.Id == newId);
                if (now2 is null)
                    problems.Add($"waits in '{position}', which version {to} does not have (map it to a node that it has)");
                else if (old is not null && old.Type != now2.Type)
                    problems.Add($"waits in '{position}' ({old.Type}), mapped to '{newId}' ({now2.Type}): a run can move only to a node of the same type");
            }

            if (problems.Count > 0)
            {
                skipped[run.Id] = string.Join("; ", problems);
                continue;
            }

            // Compose: an earlier migration's targets go through this one's map.
            var composed = new JsonObject();
            if (run.Context[NodeMap] is JsonObject earlier)
                foreach (var (k, v) in earlier)
                    composed[k] = map.GetValueOrDefault(v!.GetValue<string>(), v.GetValue<string>());
            foreach (var (k, v) in map)
                composed[k] ??= v;
            run.Context[NodeMap] = composed;
            await runs.MigrateAsync(run with { UpdatedAt = now }, to, map, ct);
            await runs.LogAsync(run.Id, null, null, null, 1, "info", $"Migrated from version {from} to version {to}", null, composed.DeepClone(), null, now,
                null, ct);
            migrated.Add(run.Id);
        }

        return new Outcome(migrated, skipped);
    }
}
