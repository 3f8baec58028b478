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
        await EndAndWakeAsync(tenantId, e, context, now, ct);
        var started = 0;
        Func<JsonElement, Task<bool>>? filters = null;
        foreach (var (workflowId, version, filter) in await workflows.TriggersAsync(e.Type, ct))
        {
            if (filter is { ValueKind: JsonValueKind.Array or JsonValueKind.Object } f)
            {
                filters ??= await models.FiltersForAsync(e, now, ct);
                if (!await filters(f))
                    continue;
            }

            if (await StartAsync(tenantId, workflowId, version, null, e, null, false, context, now, ct) is not null)
                started++;
        }

        return started;
    }

    /// <summary>The id of the run an event starts for a workflow: the same however often the event arrives.</summary>
    public static Guid RunIdFor(Guid workflowId, Guid eventId, bool dryRun) => ExecuteStep.Derive($"run/{workflowId}/{eventId}{(dryRun ? "/dry" : "")}");

    /// <summary>Starts one run (unless the filter or re-entry policy says no); its id, or null.</summary>
    public async Task<Guid?> StartAsync(Guid tenantId, Guid workflowId, int version, JsonElement? filter, TriggerEvent e, JsonObject? variables, bool dryRun,
        ISendEndpointProvider send, DateTimeOffset now, CancellationToken ct)
    {
        var run = new WorkflowRun(RunIdFor(workflowId, e.EventId, dryRun), workflowId, version, e.ContactId, e.Type,
            dryRun ? ExecuteStep.Derive($"dry/{e.EventId}") : e.EventId, "running", dryRun, Priority(e.Type),
            new JsonObject { ["event"] = e.Payload.DeepClone(), ["variables"] = variables ?? new JsonObject(), ["steps"] = new JsonObject() }, 1, [], null, null,
            now.UtcDateTime, now.UtcDateTime, null);

        if (filter is { ValueKind: JsonValueKind.Array or JsonValueKind.Object } f)
        {
            var (contact, model) = await models.BuildAsync(run, now, ct);
            if (!await models.HoldsAsync(f, null, contact, model, now, ct))
                return null;
        }

        // After the filter: most candidates of a busy event type stop there, without reading their workflow.
        var workflow = await workflows.GetAsync(workflowId, ct);
        if (workflow is null)
            return null;

        if (e.ContactId is { } contactId && !dryRun && workflow.Reentry != "always")
        {
            var last = await runs.LastStartedAsync(workflowId, contactId, ct);
            var allowed = workflow.Reentry switch
            {
                "always" => true,
                "once_per_days" => last is null || last.Value.AddDays(workflow.ReentryDays ?? 1) <= now.UtcDateTime,
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

    async Task EndAndWakeAsync(Guid tenantId, TriggerEvent e, ISendEndpointProvider context, DateTimeOffset now, CancellationToken ct)
    {
        if (e.ContactId is not { } contactId)
            return;
        foreach (var (runId, workflowId) in await runs.LiveRunsAsync(contactId, ct))
        {
            var workflow = await workflows.GetAsync(workflowId, ct);
            var end = Matches(workflow?.Goal, e.Type) ? "converted" : Matches(workflow?.ExitCriteria, e.Type) ? "exited" : null;
            if (end is null)
                continue;
            var run = (await runs.GetAsync(runId, ct, forUpdate: true))!;
            if (run.IsFinished)
                continue;
            await runs.DeleteWaitsAsync(runId, ct);
            await runs.UpdateAsync(run with { Status = end, ActiveSteps = 0, WakeAt = null, UpdatedAt = now.UtcDateTime, FinishedAt = now.UtcDateTime }, ct);
            await runs.LogAsync(runId, null, null, null, 1, "ok", end == "converted" ? $"Goal reached: {e.Type}" : $"Exit criteria met: {e.Type}", null, null,
                null, now.UtcDateTime, null, ct);
        }

        foreach (var wait in await runs.WaitsForAsync(contactId, e.Type, ct))
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
