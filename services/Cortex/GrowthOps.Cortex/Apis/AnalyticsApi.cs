using System.ComponentModel;
using Dapper;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Graph;
using GrowthOps.Cortex.Domain.Runs;
using GrowthOps.Modelling;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// A workflow's analytics over a window of run start times: runs by outcome, success rate, duration percentiles, what each
/// node did and where runs dropped off, condition outcomes, each A/B split's posterior, trigger frequency and queue depth.
/// </summary>
public static class AnalyticsApi
{
    public static RouteGroupBuilder MapAnalyticsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/workflows/{id:guid}/analytics", Analytics).WithTags("Analytics").RequireScope(WorkflowScopes.ViewAnalytics);
        return api;
    }

    public sealed record RunCounts(long Started, long Running, long Waiting, long Paused, long Completed, long Converted, long Exited, long Failed,
        long Cancelled);

    public sealed record Percentiles(double? P50, double? P95, double? P99);

    public sealed record NodeStats(
        string NodeId, string? NodeType, [property: Description("Runs that reached the node.")] long Entered, long Ok, long Failed, long Waiting,
        long DeadLettered, long Skipped,
        [property: Description("Runs that finished without completing (failed, exited, cancelled) with this as their last node.")] long EndedHere,
        [property: Description("Live runs whose last step is this node.")] long InProgressHere,
        [property: Description("ended_here / entered.")] double DropOffRate, double? DurationMsP95);

    public sealed record ConditionStats(string NodeId, long True, long False);

    public sealed record VariantStats(string Variant, [property: Description("Finished runs that took the variant.")] long Trials,
        [property: Description("Of those, runs that reached the goal.")] long Conversions, long Live, double ConversionRate,
        [property: Description("Beta(1 + conversions, 1 + failures) posterior: mean and 95 % credible interval.")] double PosteriorMean,
        double PosteriorLower95, double PosteriorUpper95, [property: Description("The chance that this variant converts best.")] double ProbabilityBest);

    public sealed record SplitStats(string NodeId, [property: Description("weighted or thompson.")] string Strategy, string? Winning,
        IReadOnlyList<VariantStats> Variants);

    public sealed record TriggerBucket(DateTime Day, long Runs);

    public sealed record QueueDepth([property: Description("Runs running, waiting or paused.")] long LiveRuns,
        [property: Description("Steps under way across them.")] long ActiveSteps, long WaitingRuns,
        [property: Description("Waiting runs whose wake-up time has passed.")] long OverdueRuns, long OpenDeadLetters);

    public sealed record WorkflowAnalytics(
        Guid WorkflowId, DateTime From, DateTime To, RunCounts Runs,
        [property: Description("Finished runs that did not fail, over finished runs that were not cancelled; null before any finished.")] double? SuccessRate,
        [property: Description("Of finished runs, start to finish.")] Percentiles DurationSeconds,
        IReadOnlyList<NodeStats> Nodes, IReadOnlyList<ConditionStats> Conditions, IReadOnlyList<SplitStats> Splits,
        [property: Description("Runs started per UTC day.")] IReadOnlyList<TriggerBucket> TriggerFrequency, QueueDepth Queue);

    /// <summary>The workflow's analytics for runs started in [from, to) (the last 30 days by default); dry runs are left out.</summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<WorkflowAnalytics>, ValidationProblem>> Analytics(Guid id,
        [Description("Runs started at or after (ISO 8601); default 30 days before to.")] DateTimeOffset? from,
        [Description("Runs started before (ISO 8601); default now.")] DateTimeOffset? to,
        UnitOfWork unitOfWork, WorkflowsStore workflows, PublishedGraphs graphs, TimeProvider clock, CancellationToken ct)
    {
        var bounds = new Dictionary<string, string[]>();
        foreach (var (name, value) in new[] { ("from", from), ("to", to) })
            if (value is { } v && (v.UtcDateTime.Year < 1970 || v.UtcDateTime.Year > 9000))
                bounds[name] = ["a time between 1970 and 9000"];
        if (bounds.Count > 0)
            return TypedResults.ValidationProblem(bounds);
        var end = (to ?? clock.GetUtcNow()).UtcDateTime;
        var start = (from ?? end.AddDays(-30)).UtcDateTime;
        if (start >= end)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["must be before to"] });
        if (end - start > TimeSpan.FromDays(400))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["from"] = ["a window of at most 400 days"] });

        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await workflows.GetAsync(id, ct) ?? throw new NotFoundException($"No workflow {id}.");
            var graph = w.CurrentVersion is { } v ? await graphs.GetAsync(id, v, ct) : null;
            var args = new { id, start, end, now = clock.GetUtcNow().UtcDateTime };
            using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command(Sql, args, ct));
            var runs = await grid.ReadSingleAsync<RunCounts>();
            var durations = await grid.ReadSingleAsync<Percentiles>();
            var nodes = (await grid.ReadAsync<NodeRow>()).ToList();
            var conditions = (await grid.ReadAsync<ConditionStats>()).ToList();
            var variants = (await grid.ReadAsync<VariantRow>()).ToList();
            var frequency = (await grid.ReadAsync<TriggerBucket>()).ToList();
            var queue = await grid.ReadSingleAsync<QueueDepth>();

            var finished = runs.Completed + runs.Converted + runs.Exited + runs.Failed;
            double? success = finished == 0 ? null : 1 - runs.Failed / (double)finished;
            var nodeStats = nodes.Select(n => new NodeStats(n.NodeId, n.NodeType, n.Entered, n.Ok, n.Failed, n.Waiting, n.DeadLettered, n.Skipped,
                n.EndedHere, n.InProgressHere, n.Entered == 0 ? 0 : Math.Round(n.EndedHere / (double)n.Entered, 4), n.DurationMsP95)).ToList();
            return new WorkflowAnalytics(id, start, end, runs, success is { } s ? Math.Round(s, 4) : null, durations, nodeStats, conditions,
                Splits(graph, variants), frequency, queue);
        }, ct));
    }

    static IReadOnlyList<SplitStats> Splits(WorkflowGraph? graph, IReadOnlyList<VariantRow> rows)
    {
        var byNode = rows.GroupBy(r => r.NodeId).ToDictionary(g => g.Key, g => g.ToList());
        var splits = new List<SplitStats>();
        var nodes = graph?.Nodes.Where(n => n.Type == NodeCatalog.AbSplit).Select(n => (n.Id, Strategy: AbSplit.Strategy(n.Data),
            Variants: AbSplit.Variants(n.Data).Select(v => v.Id).ToList())).ToList() ?? [];
        // Splits of earlier versions that the live one no longer has still show what they measured.
        nodes.AddRange(byNode.Keys.Where(k => nodes.All(n => n.Id != k))
            .Select(k => (k, AbSplit.Weighted, byNode[k].Select(r => r.Variant).ToList())));
        foreach (var (nodeId, strategy, ids) in nodes)
        {
            var measured = byNode.GetValueOrDefault(nodeId) ?? [];
            var arms = ids.Select(v => measured.FirstOrDefault(r => r.Variant == v) is { } r ? new Arm(v, r.Trials, r.Conversions) : new Arm(v, 0, 0)).ToList();
            var posterior = BetaBandit.Describe(arms);
            var stats = posterior.Select(p => new VariantStats(p.Id, p.Trials, p.Successes, measured.FirstOrDefault(r => r.Variant == p.Id)?.Live ?? 0,
                p.Trials == 0 ? 0 : Math.Round(p.Successes / (double)p.Trials, 4), Math.Round(p.Mean, 4), Math.Round(p.Lower95, 4), Math.Round(p.Upper95, 4),
                Math.Round(p.ProbabilityBest, 4))).ToList();
            var winning = arms.Any(a => a.Trials > 0) ? stats.MaxBy(v => v.ProbabilityBest)!.Variant : null;
            splits.Add(new SplitStats(nodeId, strategy, winning, stats));
        }

        return splits;
    }

    sealed record NodeRow(string NodeId, string? NodeType, long Entered, long Ok, long Failed, long Waiting, long DeadLettered, long Skipped, long EndedHere,
        long InProgressHere, double? DurationMsP95);

    sealed record VariantRow(string NodeId, string Variant, long Trials, long Conversions, long Live);

    const string Sql = """
        create temporary table if not exists analytics_runs (id uuid primary key, status text, started_at timestamptz, finished_at timestamptz,
                                                             active_steps int, wake_at timestamptz) on commit drop;
        insert into analytics_runs
        select id, status, started_at, finished_at, active_steps, wake_at from cortex.workflow_runs
         where workflow_id = @id and not dry_run and started_at >= @start and started_at < @end;

        select count(*) as started, count(*) filter (where status = 'running') as running, count(*) filter (where status = 'waiting') as waiting,
               count(*) filter (where status = 'paused') as paused, count(*) filter (where status = 'completed') as completed,
               count(*) filter (where status = 'converted') as converted, count(*) filter (where status = 'exited') as exited,
               count(*) filter (where status = 'failed') as failed, count(*) filter (where status = 'cancelled') as cancelled
          from analytics_runs;

        select percentile_cont(0.5) within group (order by s) as p50, percentile_cont(0.95) within group (order by s) as p95,
               percentile_cont(0.99) within group (order by s) as p99
          from (select extract(epoch from finished_at - started_at)::float8 as s from analytics_runs where finished_at is not null) d;

        with logs as (
          select l.run_id, l.node_id, l.node_type, l.status, l.duration_ms, l.id
            from cortex.workflow_run_logs l join analytics_runs r on r.id = l.run_id
           where l.node_id is not null),
        last_node as (
          select distinct on (l.run_id) l.run_id, l.node_id from logs l order by l.run_id, l.id desc)
        select l.node_id, min(l.node_type) as node_type, count(distinct l.run_id) as entered,
               count(*) filter (where l.status = 'ok') as ok, count(*) filter (where l.status = 'failed') as failed,
               count(*) filter (where l.status = 'waiting') as waiting, count(*) filter (where l.status = 'dead_lettered') as dead_lettered,
               count(*) filter (where l.status = 'skipped') as skipped,
               (select count(*) from last_node n join analytics_runs r on r.id = n.run_id
                 where n.node_id = l.node_id and r.status in ('failed', 'exited', 'cancelled')) as ended_here,
               (select count(*) from last_node n join analytics_runs r on r.id = n.run_id
                 where n.node_id = l.node_id and r.status in ('running', 'waiting', 'paused')) as in_progress_here,
               percentile_cont(0.95) within group (order by l.duration_ms) as duration_ms_p95
          from logs l group by l.node_id order by min(l.id);

        select l.node_id, count(*) filter (where (l.output->>'result')::boolean) as "true",
               count(*) filter (where not (l.output->>'result')::boolean) as "false"
          from cortex.workflow_run_logs l join analytics_runs r on r.id = l.run_id
         where l.node_type = 'condition' and l.status = 'ok' and l.output ? 'result'
         group by l.node_id order by l.node_id;

        select l.node_id, l.output->>'variant' as variant, count(*) filter (where r.finished_at is not null) as trials,
               count(*) filter (where r.status = 'converted') as conversions, count(*) filter (where r.finished_at is null) as live
          from cortex.workflow_run_logs l join analytics_runs r on r.id = l.run_id
         where l.node_type = 'ab_split' and l.status = 'ok'
         group by 1, 2 order by 1, 2;

        select date_trunc('day', started_at at time zone 'UTC') as day, count(*) as runs from analytics_runs group by 1 order by 1;

        select (select count(*) from cortex.workflow_runs where workflow_id = @id and status in ('running', 'waiting', 'paused')) as live_runs,
               (select coalesce(sum(active_steps), 0) from cortex.workflow_runs where workflow_id = @id and status in ('running', 'waiting', 'paused')) as active_steps,
               (select count(*) from cortex.workflow_runs where workflow_id = @id and status = 'waiting') as waiting_runs,
               (select count(*) from cortex.workflow_runs where workflow_id = @id and status = 'waiting' and wake_at < @now) as overdue_runs,
               (select count(*) from cortex.dead_letters where workflow_id = @id and replayed_at is null) as open_dead_letters;
        """;
}
