using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Graph;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>
/// Executes one step of a run, in the consumed message's transaction (behind the inbox): the step's effects (commands, the
/// scheduled wake-up, the next steps) and the run's new position commit together or not at all. A step is claimed once per
/// (run, step, attempt, phase); the run row is locked, so parallel branches of one run take turns.
/// </summary>
public sealed class Walker(
    RunsStore runs, PublishedGraphs graphs, RunModel models, ActionRunner actions, AbSplit splits, TimeProvider clock, IOptions<CortexOptions> options)
{

    abstract record Outcome;
    sealed record Next(IReadOnlyList<GraphEdge> Edges) : Outcome;
    sealed record Waiting(DateTimeOffset Until) : Outcome;
    sealed record Dropped : Outcome;
    sealed record Ended(string Status, string? Error) : Outcome;

    public async Task ExecuteAsync(ExecuteStep m, ConsumeContext context)
    {
        var ct = context.CancellationToken;
        var now = clock.GetUtcNow();
        if (!await runs.ClaimStepAsync(m.RunId, m.StepId, m.Attempt, m.Phase + (m.Handle is null ? "" : ":" + m.Handle), m.NodeId, now.UtcDateTime, ct))
            return;
        var run = await runs.GetAsync(m.RunId, ct, forUpdate: true);
        if (run is null)
            return;
        if (run.IsFinished)
        {
            await runs.LogAsync(run.Id, m.StepId, m.NodeId, null, m.Attempt, "skipped", $"Run is {run.Status}: step not executed", null, null, null,
                now.UtcDateTime, null, ct);
            return;
        }

        if (run.Status == "paused")
        {
            run.HeldSteps.Add(JsonSerializer.SerializeToNode(m));
            await runs.UpdateAsync(run with { UpdatedAt = now.UtcDateTime }, ct);
            await runs.LogAsync(run.Id, m.StepId, m.NodeId, null, m.Attempt, "info", "Held: the run is paused", null, null, null, now.UtcDateTime, null, ct);
            return;
        }

        // A run migrated to another version: messages scheduled before name the old version's node ids.
        m = m with { NodeId = RunMigration.Translate(run.Context, m.NodeId) };
        var graph = await graphs.GetAsync(run.WorkflowId, run.Version, ct);
        var node = graph.Nodes.FirstOrDefault(n => n.Id == m.NodeId);
        if (node is null)
        {
            await Finish(run, new Ended("failed", $"Node '{m.NodeId}' is not in version {run.Version}"), m, now, ct);
            return;
        }

        for (var chained = 0; ; chained++)
        {
            Outcome outcome;
            try
            {
                outcome = await Execute(run, graph, node, m, context, now, ct);
            }
            catch (StepFailedException e)
            {
                outcome = await Failed(run, node, m, e, context, now, ct);
            }

            // A single next node runs in this same transaction, as its own step (claimed under its own id, logged as such):
            // one message per branch point or wait rather than per node. Bounded, so one message never holds a run for long.
            if (outcome is Next { Edges: [var edge] } && chained < MaxChain && graph.Nodes.FirstOrDefault(n => n.Id == edge.Target) is { } following)
            {
                var step = new ExecuteStep(m.TenantId, run.Id, ExecuteStep.Next(m.StepId, edge.Id, m.Attempt), edge.Target, 1, ExecuteStep.Enter, null,
                    clock.GetUtcNow());
                if (await runs.ClaimStepAsync(run.Id, step.StepId, step.Attempt, step.Phase, step.NodeId, step.OccurredAt.UtcDateTime, ct))
                {
                    run = run with { Status = "running", WakeAt = null };
                    (m, node, now) = (step, following, step.OccurredAt);
                    continue;
                }

                outcome = new Dropped(); // executed before: nothing more of this branch here
            }

            await Advance(run, node, m, outcome, context, now, ct);
            return;
        }
    }

    /// <summary>Most nodes one message executes in a row before it hands the rest of the branch to the next message.</summary>
    public const int MaxChain = 32;

    IReadOnlyList<GraphEdge> Out(WorkflowGraph graph, GraphNode node, string? handle = null) =>
        graph.Edges.Where(e => e.Source == node.Id && (handle is null || e.SourceHandle == handle)).ToList();

    async Task<Outcome> Execute(WorkflowRun run, WorkflowGraph graph, GraphNode node, ExecuteStep m, ConsumeContext context, DateTimeOffset now,
        CancellationToken ct)
    {
        var data = node.Data;
        switch (node.Type)
        {
            case NodeCatalog.Trigger:
                await Log(run, node, m, "ok", $"Spawned execution {run.Id} of workflow {run.WorkflowId} v{run.Version}" +
                                            (run.ContactId is { } c ? $" for contact {c}" : "") + $" on {run.TriggerType}", null, null, now, ct);
                return new Next(Out(graph, node));
            case NodeCatalog.Action when m.Phase == ExecuteStep.Resume:
                return await ResumeAction(run, graph, node, m, now, ct);
            case NodeCatalog.Action:
            {
                var (contact, model) = await models.BuildAsync(run, now, ct);
                var result = await actions.RunAsync(run, node, m, contact, model, context, now, ct);
                if (result.Output is not null)
                    Steps(run)[node.Id] = result.Output.DeepClone();
                await Log(run, node, m, run.DryRun ? "dry_run" : "ok", result.Message, result.Input, result.Output, now, ct);
                if (result.AwaitReply is { } patience && !run.DryRun)
                {
                    var timeout = now + patience;
                    await runs.AddWaitAsync(new RunWait(run.Id, m.StepId, node.Id, run.ContactId, RunWait.ReplyTo(m.StepId), null, timeout.UtcDateTime), ct);
                    await context.ScheduleAsync(run.Priority, timeout.UtcDateTime, m with { Phase = ExecuteStep.Resume, Handle = "timeout", OccurredAt = timeout });
                    await Log(run, node, m, "waiting", $"Waiting for the answer until {timeout:O}", null, null, now, ct);
                    return new Waiting(timeout);
                }

                return result.WaitUntil is { } until ? await Wait(run, node, m, until, context, now, ct) : new Next(Out(graph, node));
            }
            case NodeCatalog.Condition:
            {
                var (contact, model) = await models.BuildAsync(run, now, ct);
                var conditions = data.TryGetProperty("conditions", out var cs) ? cs : data.GetProperty("condition");
                var logic = data.TryGetProperty("logic", out var l) ? l : (JsonElement?)null;
                var holds = await models.HoldsAsync(conditions, logic, contact, model, now, ct);
                Steps(run)[node.Id] = new JsonObject { ["result"] = holds };
                await Log(run, node, m, "ok", $"Condition is {(holds ? "true" : "false")}", null, new JsonObject { ["result"] = holds }, now, ct);
                return new Next(Out(graph, node, holds ? "true" : "false"));
            }
            case NodeCatalog.Delay when m.Phase == ExecuteStep.Resume:
                await Log(run, node, m, "ok", "Resumed after the delay", null, null, now, ct);
                return new Next(Out(graph, node));
            case NodeCatalog.Delay:
            {
                var (contact, _) = await models.BuildAsync(run, now, ct);
                var due = Delays.Due(data, now, RunModel.Zone(contact?.Timezone));
                if (run.DryRun)
                {
                    await Log(run, node, m, "dry_run", $"Would pause until {due:O}", null, null, now, ct);
                    return new Next(Out(graph, node));
                }

                return await Wait(run, node, m, due, context, now, ct);
            }
            case NodeCatalog.WaitUntil when m.Phase == ExecuteStep.Resume:
                if (m.Handle == "timeout" && !await runs.EndWaitAsync(run.Id, m.StepId, ct))
                    return new Dropped(); // the event came first: its "met" step carries the branch on
                await Log(run, node, m, "ok", m.Handle == "met" ? "The awaited event arrived" : "Timed out waiting", null, null, now, ct);
                return new Next(Out(graph, node, m.Handle));
            case NodeCatalog.WaitUntil:
            {
                var seconds = WorkflowGraph.DurationSeconds(data, "timeout") ?? 0;
                var timeout = now.AddSeconds(seconds);
                var eventType = data.TryGetProperty("event", out var ev) && ev.ValueKind == JsonValueKind.String ? ev.GetString() : null;
                JsonElement? conditions = data.TryGetProperty("conditions", out var wc) ? wc : null;
                if (run.DryRun)
                {
                    await Log(run, node, m, "dry_run", $"Would wait for {eventType ?? "the conditions"} until {timeout:O}", null, null, now, ct);
                    return new Next(Out(graph, node, "met"));
                }

                if (eventType is null && conditions is { } only)
                {
                    var (contact, model) = await models.BuildAsync(run, now, ct);
                    if (await models.HoldsAsync(only, null, contact, model, now, ct))
                    {
                        await Log(run, node, m, "ok", "The awaited conditions already hold", null, null, now, ct);
                        return new Next(Out(graph, node, "met"));
                    }
                }

                await runs.AddWaitAsync(new RunWait(run.Id, m.StepId, node.Id, run.ContactId, eventType, conditions, timeout.UtcDateTime), ct);
                await context.ScheduleAsync(run.Priority, timeout.UtcDateTime, m with { Phase = ExecuteStep.Resume, Handle = "timeout", OccurredAt = timeout });
                await Log(run, node, m, "waiting", $"Waiting for {eventType ?? "the conditions"} until {timeout:O}", null, null, now, ct);
                return new Waiting(timeout);
            }
            case NodeCatalog.Parallel:
                await Log(run, node, m, "ok", $"Started {Out(graph, node).Count} branches", null, null, now, ct);
                return new Next(Out(graph, node));
            case NodeCatalog.Join:
            {
                var incoming = graph.Edges.Count(e => e.Target == node.Id);
                var arrived = await runs.ArriveAsync(run.Id, node.Id, m.StepId, now.UtcDateTime, ct);
                var any = data.ValueKind == JsonValueKind.Object && data.TryGetProperty("mode", out var mode) && mode.GetString() == "any";
                if (any ? arrived == 1 : arrived == incoming)
                {
                    await Log(run, node, m, "ok", $"Joined ({arrived} of {incoming} branches arrived)", null, null, now, ct);
                    return new Next(Out(graph, node));
                }

                await Log(run, node, m, "ok", $"Branch {arrived} of {incoming} arrived{(any ? "; the first went on" : "; waiting for the rest")}", null, null,
                    now, ct);
                return new Dropped();
            }
            case NodeCatalog.AbSplit:
            {
                var (variant, arms) = await splits.ChooseAsync(data, run.WorkflowId, run.Id, node.Id, ct);
                Steps(run)[node.Id] = new JsonObject { ["variant"] = variant };
                var output = new JsonObject { ["variant"] = variant };
                if (arms is not null)
                    output["posterior"] = new JsonArray(arms.Select(a => (JsonNode)new JsonObject
                    {
                        ["variant"] = a.Id, ["trials"] = a.Trials, ["conversions"] = a.Successes, ["mean"] = Math.Round(a.PosteriorMean, 4),
                    }).ToArray());
                await Log(run, node, m, "ok", arms is null ? $"Variant {variant}" : $"Variant {variant} (Thompson draw over {arms.Sum(a => a.Trials)} finished runs)",
                    null, output, now, ct);
                return new Next(Out(graph, node, variant));
            }
            case NodeCatalog.Stop:
                await Log(run, node, m, "ok", "Stopped", null, null, now, ct);
                return new Ended("completed", null);
            default:
                return new Ended("failed", $"Node type '{node.Type}' cannot run");
        }
    }

    /// <summary>
    /// An action resumed: after its wait (optimize_timing's hour), or with the answer to its command (<c>met</c>: the answer is in
    /// <c>steps.&lt;node id&gt;</c> already) or without it (<c>timeout</c>: the run goes on with <c>status: timeout</c>).
    /// </summary>
    async Task<Outcome> ResumeAction(WorkflowRun run, WorkflowGraph graph, GraphNode node, ExecuteStep m, DateTimeOffset now, CancellationToken ct)
    {
        switch (m.Handle)
        {
            case "timeout":
            {
                if (!await runs.EndWaitAsync(run.Id, m.StepId, ct))
                    return new Dropped(); // the answer came first: its "met" step carries the branch on
                var output = new JsonObject { ["status"] = "timeout" };
                Steps(run)[node.Id] = output;
                await Log(run, node, m, "failed", "No answer in time; going on without it", null, output.DeepClone(), now, ct);
                return new Next(Out(graph, node));
            }
            case "met":
            {
                var answer = Steps(run)[node.Id] as JsonObject;
                if (answer?["probability"] is { } p && node.Config.ValueKind == JsonValueKind.Object &&
                    node.Config.TryGetProperty("min_probability", out var min) && min.ValueKind == JsonValueKind.Number)
                    answer["confident"] = p.GetValue<double>() >= min.GetDouble();
                await Log(run, node, m, answer?["status"]?.GetValue<string>() == "ok" ? "ok" : "failed",
                    answer?["predicted_state"] is { } state ? $"Predicted next state: {state} ({answer["probability"]!.GetValue<double>() * 100:0}%)" : "The answer arrived",
                    null, answer?.DeepClone(), now, ct);
                return new Next(Out(graph, node));
            }
            default:
                await Log(run, node, m, "ok", "Resumed", null, null, now, ct);
                return new Next(Out(graph, node));
        }
    }

    async Task<Outcome> Wait(WorkflowRun run, GraphNode node, ExecuteStep m, DateTimeOffset until, ConsumeContext context, DateTimeOffset now,
        CancellationToken ct)
    {
        await context.ScheduleAsync(run.Priority, until.UtcDateTime, m with { Phase = ExecuteStep.Resume, Handle = null, OccurredAt = until });
        await Log(run, node, m, "waiting", $"Pausing until {until:O}", null, null, now, ct);
        return new Waiting(until);
    }

    /// <summary>A failed attempt: the next one after the retry schedule's delay, or after the last the step is dead-lettered and the run fails.</summary>
    async Task<Outcome> Failed(WorkflowRun run, GraphNode node, ExecuteStep m, StepFailedException e, ConsumeContext context, DateTimeOffset now,
        CancellationToken ct)
    {
        var schedule = options.Value.RetrySchedule;
        if (e.Retryable && m.Attempt <= schedule.Length)
        {
            var due = now + schedule[m.Attempt - 1];
            await Log(run, node, m, "failed", $"Attempt {m.Attempt} failed; attempt {m.Attempt + 1} at {due:O}", e.Input, null, now, ct, e.Message);
            await context.ScheduleAsync(run.Priority, due.UtcDateTime, m with { Attempt = m.Attempt + 1, Phase = ExecuteStep.Enter, Handle = null, OccurredAt = due });
            return new Waiting(due);
        }

        await runs.AddDeadLetterAsync(new DeadLetter(ExecuteStep.Derive($"dead/{m.StepId}/{m.Attempt}"), run.Id, run.WorkflowId, m.StepId, node.Id,
            m.Attempt, e.Message, JsonSerializer.SerializeToElement(m), now.UtcDateTime, null), ct);
        await Log(run, node, m, "dead_lettered", $"Attempt {m.Attempt} failed; dead-lettered", e.Input, null, now, ct, e.Message);
        return new Ended("failed", e.Message);
    }

    async Task Advance(WorkflowRun run, GraphNode node, ExecuteStep m, Outcome outcome, ConsumeContext context, DateTimeOffset now, CancellationToken ct)
    {
        switch (outcome)
        {
            case Next next:
                foreach (var edge in next.Edges)
                    await context.SendAsync(run.Priority, new ExecuteStep(m.TenantId, run.Id, ExecuteStep.Next(m.StepId, edge.Id, m.Attempt), edge.Target, 1,
                        ExecuteStep.Enter, null, now), ct);
                run = run with { ActiveSteps = run.ActiveSteps + next.Edges.Count - 1, Status = "running", WakeAt = null };
                break;
            case Waiting waiting:
                run = run with { Status = "waiting", WakeAt = run.WakeAt is { } w && w < waiting.Until.UtcDateTime ? w : waiting.Until.UtcDateTime };
                break;
            case Dropped:
                run = run with { ActiveSteps = run.ActiveSteps - 1 };
                break;
            case Ended ended:
                await Finish(run, ended, m, now, ct);
                return;
        }

        if (run.ActiveSteps <= 0)
        {
            await Finish(run, new Ended("completed", null), m, now, ct);
            return;
        }

        await runs.UpdateAsync(run with { UpdatedAt = now.UtcDateTime }, ct);
    }

    async Task Finish(WorkflowRun run, Ended ended, ExecuteStep m, DateTimeOffset now, CancellationToken ct)
    {
        await runs.DeleteWaitsAsync(run.Id, ct);
        await runs.UpdateAsync(run with
        {
            Status = ended.Status, Error = ended.Error, ActiveSteps = 0, WakeAt = null, UpdatedAt = now.UtcDateTime, FinishedAt = now.UtcDateTime,
        }, ct);
        await runs.LogAsync(run.Id, m.StepId, null, null, m.Attempt, ended.Status == "completed" ? "ok" : "failed",
            ended.Status == "completed" ? "Run completed" : $"Run {ended.Status}: {ended.Error}", null, null, ended.Error, now.UtcDateTime, null, ct);
    }

    static JsonObject Steps(WorkflowRun run) => run.Context["steps"] as JsonObject ?? (JsonObject)(run.Context["steps"] = new JsonObject());

    Task Log(WorkflowRun run, GraphNode node, ExecuteStep m, string status, string message, JsonNode? input, JsonNode? output, DateTimeOffset now,
        CancellationToken ct, string? error = null) =>
        runs.LogAsync(run.Id, m.StepId, node.Id, node.Subtype is { } s ? $"{node.Type}:{s}" : node.Type, m.Attempt, status, message, input, output, error,
            now.UtcDateTime, (clock.GetUtcNow() - now).TotalMilliseconds, ct);
}

/// <summary>An action that did not succeed: <see cref="Retryable"/> ones walk the retry schedule, the others dead-letter at once.</summary>
public sealed class StepFailedException(string message, bool retryable, JsonNode? input = null) : Exception(message)
{
    public bool Retryable { get; } = retryable;
    public JsonNode? Input { get; } = input;
}
