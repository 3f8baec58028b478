using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Cortex.Data;
using MassTransit;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>An event as triggers see it: its type, the contact, the payload templates and filters read, and its id (one run per event × workflow).</summary>
public sealed record TriggerEvent(Guid EventId, string Type, Guid? ContactId, JsonObject Payload, DateTimeOffset OccurredAt);

/// <summary>
/// The watcher: for an event, the workflows its type triggers (indexed by tenant and type), each filter and re-entry policy
/// checked, a run started per match — once per event and workflow however often the event arrives. Also ends the contact's
/// runs whose goal the event is (converted) or whose exit criteria it meets (exited), and wakes runs waiting for it.
/// </summary>
public sealed class Watcher(WorkflowsStore workflows, RunsStore runs, RunModel models, PublishedGraphs graphs, TimeProvider clock)
{
    public async Task<int> HandleAsync(Guid tenantId, TriggerEvent e, ISendEndpointProvider context, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var watch = await runs.WatchAsync(e.Type, e.ContactId, ct);
        await EndAndWakeAsync(tenantId, e, watch, context, now, ct);
        var started = 0;
        Func<JsonElement, Task<bool>>? filters = null;
        foreach (var trigger in watch.Triggers)
        {
            if (trigger.Filter is { ValueKind: JsonValueKind.Array or JsonValueKind.Object } f)
            {
                filters ??= await models.FiltersForAsync(e, now, ct);
                if (!await filters(f))
                    continue;
            }

            if (await StartAsync(tenantId, trigger.WorkflowId, trigger.Version, e, null, false, context, now, ct, (trigger.Reentry, trigger.ReentryDays))
                is not null)
                started++;
        }

        return started;
    }

    /// <summary>The id of the run an event starts for a workflow: the same however often the event arrives.</summary>
    public static Guid RunIdFor(Guid workflowId, Guid eventId, bool dryRun) => ExecuteStep.Derive($"run/{workflowId}/{eventId}{(dryRun ? "/dry" : "")}");

    /// <summary>
    /// Starts one run (unless the re-entry policy says no, or the workflow is gone); its id, or null. <paramref name="reentry"/> is
    /// the workflow's policy when the caller read it already (the trigger index has it); otherwise the workflow is read.
    /// </summary>
    public async Task<Guid?> StartAsync(Guid tenantId, Guid workflowId, int version, TriggerEvent e, JsonObject? variables, bool dryRun,
        ISendEndpointProvider send, DateTimeOffset now, CancellationToken ct, (string Policy, int? Days)? reentry = null)
    {
        var run = new WorkflowRun(RunIdFor(workflowId, e.EventId, dryRun), workflowId, version, e.ContactId, e.Type,
            dryRun ? ExecuteStep.Derive($"dry/{e.EventId}") : e.EventId, "running", dryRun, Priority(e.Type),
            new JsonObject { ["event"] = e.Payload.DeepClone(), ["variables"] = variables ?? new JsonObject(), ["steps"] = new JsonObject() }, 1, [], null, null,
            now.UtcDateTime, now.UtcDateTime, null);

        if (reentry is null)
        {
            if (await workflows.GetAsync(workflowId, ct) is not { } workflow)
                return null;
            reentry = (workflow.Reentry, workflow.ReentryDays);
        }

        var (policy, days) = reentry.Value;
        if (e.ContactId is { } contactId && !dryRun && policy != "always")
        {
            var last = await runs.LastStartedAsync(workflowId, contactId, ct);
            var allowed = policy switch
            {
                "once_per_days" => last is null || last.Value.AddDays(days ?? 1) <= now.UtcDateTime,
                _ => last is null,
            };
            if (!allowed)
                return null;
        }

        if (!await runs.InsertAsync(run, ct))
            return null;
        var trigger = (await graphs.GetAsync(workflowId, version, ct)).TriggerNode!;
        var first = new ExecuteStep(tenantId, run.Id, ExecuteStep.Derive($"first/{run.Id}"), trigger.Id, 1, ExecuteStep.Enter, null, now);
        await send.SendAsync(run.Priority, first, ct);
        return run.Id;
    }

    /// <summary>High: payments, orders, forms; low: schedules and batches; medium: the rest (behaviour, email events).</summary>
    static string Priority(string type) => type.Split('.')[0] switch
    {
        "checkout" or "order" or "form" or "subscription" or "cart" => "high",
        "schedule" => "low",
        _ => "medium",
    };

    async Task EndAndWakeAsync(Guid tenantId, TriggerEvent e, RunsStore.Watch watch, ISendEndpointProvider context, DateTimeOffset now, CancellationToken ct)
    {
        if (e.ContactId is null)
            return;
        foreach (var (runId, goal, exit) in watch.Endings)
        {
            var end = Matches(goal, e.Type) ? "converted" : Matches(exit, e.Type) ? "exited" : null;
            if (end is null)
                continue;
            if (await runs.GetAsync(runId, ct, forUpdate: true) is not { IsFinished: false } run)
                continue;
            await runs.DeleteWaitsAsync(runId, ct);
            await runs.UpdateAsync(run with { Status = end, ActiveSteps = 0, WakeAt = null, UpdatedAt = now.UtcDateTime, FinishedAt = now.UtcDateTime }, ct);
            await runs.LogAsync(runId, null, null, null, 1, "ok", end == "converted" ? $"Goal reached: {e.Type}" : $"Exit criteria met: {e.Type}", null, null,
                null, now.UtcDateTime, null, ct);
        }

        foreach (var wait in watch.Waits)
        {
            var run = await runs.GetAsync(wait.RunId, ct);
            if (run is null)
                continue;
            if (wait.EventType is null)
            {
                if (wait.Conditions is not { } conditions)
                    continue;
                var (contact, model) = await models.BuildAsync(run, now, ct);
                if (!await models.HoldsAsync(conditions, null, contact, model, now, ct))
                    continue;
            }

            if (await runs.EndWaitAsync(wait.RunId, wait.StepId, ct))
                await context.SendAsync(run.Priority, new ExecuteStep(tenantId, wait.RunId, wait.StepId, wait.NodeId, 1, ExecuteStep.Resume, "met", now), ct);
        }
    }

    /// <summary>A goal or exit criteria of the form <c>{"event": "checkout.completed"}</c> (or a list of such).</summary>
    static bool Matches(JsonElement? criteria, string type) => criteria switch
    {
        { ValueKind: JsonValueKind.Object } o => o.TryGetProperty("event", out var ev) && ev.GetString() == type
                                                 || o.TryGetProperty("events", out var evs) && evs.ValueKind == JsonValueKind.Array &&
                                                 evs.EnumerateArray().Any(x => x.GetString() == type),
        { ValueKind: JsonValueKind.String } s => s.GetString() == type,
        _ => false,
    };
}
