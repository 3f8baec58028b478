using System.Collections.Concurrent;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Graph;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// Published versions' graphs, read and parsed once per process: a version never changes, so the watcher (the trigger node
/// of each run it starts) and the walker (every step) share them. Keyed by tenant too, as row-level security scopes the read.
/// </summary>
public sealed class PublishedGraphs(WorkflowsStore workflows, GrowthOps.ServiceDefaults.CurrentTenant tenant)
{
    static readonly ConcurrentDictionary<(Guid Tenant, Guid Workflow, int Version), WorkflowGraph> Cache = new();

    public async Task<WorkflowGraph> GetAsync(Guid workflowId, int version, CancellationToken ct)
    {
        var key = (tenant.Required, workflowId, version);
        if (Cache.TryGetValue(key, out var graph))
            return graph;
        var published = await workflows.VersionAsync(workflowId, version, ct)
                        ?? throw new InvalidOperationException($"Workflow {workflowId} has no version {version}.");
        graph = WorkflowGraph.Read(published.Graph, [])!;
        if (Cache.Count > 10_000)
            Cache.Clear();
        return Cache[key] = graph;
    }
}
