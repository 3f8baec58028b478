using GrowthOps.ServiceDefaults.Authorization;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// Runs: started by triggers (or by hand, or as a dry run), each pinned to the version it started on; its log shows every step
/// with input, output, duration and error. Cancel, pause and resume one run; dead-lettered steps are listed and replayed.
/// </summary>
public static class RunsApi
{
    public static RouteGroupBuilder MapRunsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/workflows/{id:guid}/runs", Start).WithTags("Runs").WithIdempotency().RequireScope(WorkflowScopes.Execute);
        api.MapPost("/workflows/{id:guid}/runs/migrate", Migrate).WithTags("Runs").RequireScope(WorkflowScopes.Update);
        var runs = api.MapGroup("/runs").WithTags("Runs");
        runs.MapGet("/", List).RequireScope(WorkflowScopes.ViewRuns);
        runs.MapGet("/{id:guid}", Get).RequireScope(WorkflowScopes.ViewRuns);
        runs.MapGet("/{id:guid}/logs", Logs).RequireScope(WorkflowScopes.ViewRuns);
        runs.MapPost("/{id:guid}/cancel", Cancel).RequireScope(WorkflowScopes.Execute);
        runs.MapPost("/{id:guid}/pause", Pause).RequireScope(WorkflowScopes.Pause);
        runs.MapPost("/{id:guid}/resume", Resume).RequireScope(WorkflowScopes.Pause);
        var dead = api.MapGroup("/dead-letters").WithTags("Runs");
        dead.MapGet("/", DeadLetters).RequireScope(WorkflowScopes.ViewRuns);
        dead.MapPost("/{id:guid}/replay", Replay).RequireScope(WorkflowScopes.Execute);
        return api;
    }

    public sealed record StartRunRequest(
        [property: Description("The contact the run is for; none for a run without a contact.")] Guid? ContactId = null,
        [property: Description("Available to templates and conditions as variables.<name>."), MaxLength(100)] Dictionary<string, JsonElement>? Variables = null,
        [property: Description("The trigger event's payload as templates see it (event.<field>).")] JsonElement? Event = null,
        [property: Description("Every step logged with what it would have done; nothing is sent, nothing waits.")] bool? DryRun = null);

    public sealed record MigrateRunsRequest(
        [property: Description("The version whose live runs move.")] int FromVersion,
        [property: Description("Where they move; the live version by default.")] int? ToVersion = null,
        [property: Description("Old node id → new node id, for nodes whose id changed; unmapped ids stay as they are."), MaxLength(1000)]
        Dictionary<string, string>? NodeMap = null,
        [property: Description("Only these runs; all of the version's live runs by default."), MaxLength(10000)] List<Guid>? RunIds = null);

    public sealed record MigrateRunsResult(IReadOnlyList<Guid> Migrated,
        [property: Description("Runs left where they are, each with why.")] IReadOnlyDictionary<Guid, string> Skipped);

    public sealed record RunDto(
        Guid Id, Guid WorkflowId, int Version, Guid? ContactId, string TriggerType,
        [property: Description("running, waiting, paused, completed, failed, cancelled, converted (goal reached) or exited.")] string Status,
        bool DryRun, [property: Description("high, medium or low.")] string Priority, JsonElement Context, int ActiveSteps, DateTime? WakeAt, string? Error,
        DateTime StartedAt, DateTime UpdatedAt, DateTime? FinishedAt)
    {
        public static RunDto From(WorkflowRun r) => new(r.Id, r.WorkflowId, r.Version, r.ContactId, r.TriggerType, r.Status, r.DryRun, r.Priority,
            JsonSerializer.SerializeToElement(r.Context), r.ActiveSteps, r.WakeAt, r.Error, r.StartedAt, r.UpdatedAt, r.FinishedAt);
    }

    public sealed record RunLogDto(
        long Id, Guid? StepId, string? NodeId, string? NodeType, int Attempt,
        [property: Description("ok, failed, waiting, skipped, dead_lettered, dry_run or info.")] string Status, string Message, JsonElement? Input,
        JsonElement? Output, string? Error, DateTime At, double? DurationMs);

    public sealed record DeadLetterDto(Guid Id, Guid RunId, Guid WorkflowId, Guid StepId, string NodeId, int Attempts, string Error, DateTime CreatedAt,
        DateTime? ReplayedAt);

    /// <summary>Starts a run of the workflow's live version now (a dry run also of an unpublished workflow's last version).</summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status404NotFound, "No such workflow, or no such contact.")]
    [ProducesProblem(StatusCodes.Status409Conflict, "Not active (and not a dry run), or never published.")]
    static async Task<Results<Accepted<RunDto>, ValidationProblem>> Start(Guid id, StartRunRequest request, UnitOfWork unitOfWork, WorkflowsStore workflows,
        RunsStore runs, ContactsStore contacts, Watcher watcher, ISendEndpointProvider send, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (request.Event is { ValueKind: not (JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined) })
            errors["event"] = ["an object"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var dryRun = request.DryRun ?? false;
        var run = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await workflows.GetAsync(id, ct) ?? throw new NotFoundException($"No workflow {id}.");
            if (w.CurrentVersion is not { } version)
                throw new ConflictException($"Workflow {id} has never been published: publish it first.");
            if (w.Status != "active" && !dryRun)
                throw new ConflictException($"Workflow {id} is {w.Status}: only a dry run starts now.");
            if (request.ContactId is { } contactId && await contacts.GetAsync(contactId, ct) is null)
                throw new NotFoundException($"No contact {contactId} (Cortex knows the contacts of Leads' events).");
            var now = clock.GetUtcNow();
            var payload = request.Event is { ValueKind: JsonValueKind.Object } e ? JsonNode.Parse(e.GetRawText())!.AsObject() : new JsonObject();
            var variables = request.Variables is null ? new JsonObject() : JsonSerializer.SerializeToNode(request.Variables)!.AsObject();
            var runId = await watcher.StartAsync(unitOfWork.TenantId!.Value, id, version,
                            new TriggerEvent(Guid.CreateVersion7(), "manual", request.ContactId, payload, now), variables, dryRun, send, now, ct)
                        ?? throw new ConflictException("The workflow's re-entry policy does not let this contact start it again.");
            return (await runs.GetAsync(runId, ct))!;
        }, ct);
        return TypedResults.Accepted($"/api/cortex/runs/{run.Id}", RunDto.From(run));
    }

    /// <summary>
    /// Moves the live runs of one version to another: each waiting run whose every waiting node exists in the target (through
    /// <c>node_map</c>) with the same type goes on there; runs with a step under way, or waiting in a node the target lacks,
    /// stay and are listed with the reason. Finished runs never move.
    /// </summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status404NotFound, "No such workflow or version.")]
    [ProducesProblem(StatusCodes.Status409Conflict, "Never published, or the runs are on the target version already.")]
    static async Task<Results<Ok<MigrateRunsResult>, ValidationProblem>> Migrate(Guid id, MigrateRunsRequest request, UnitOfWork unitOfWork,
        WorkflowsStore workflows, RunMigration migration, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (request.FromVersion < 1)
            errors["from_version"] = ["a published version (1 or more)"];
        if (request.NodeMap is { } nodeMap && nodeMap.Any(p => p.Key.Length is 0 or > 200 || p.Value is null || p.Value.Length is 0 or > 200))
            errors["node_map"] = ["node ids of 1 to 200 characters"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var outcome = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await workflows.GetAsync(id, ct) ?? throw new NotFoundException($"No workflow {id}.");
            var to = request.ToVersion ?? w.CurrentVersion ?? throw new ConflictException($"Workflow {id} has never been published.");
            foreach (var v in new[] { request.FromVersion, to })
                if (await workflows.VersionAsync(id, v, ct) is null)
                    throw new NotFoundException($"Workflow {id} has no version {v}.");
            if (to == request.FromVersion)
                throw new ConflictException("The runs are on that version already.");
            return await migration.MigrateAsync(id, request.FromVersion, to, request.NodeMap ?? [], request.RunIds, ct);
        }, ct);
        return TypedResults.Ok(new MigrateRunsResult(outcome.Migrated, outcome.Skipped));
    }

    static async Task<Ok<Page<RunDto>>> List([Description("Runs of this workflow.")] Guid? workflowId, [Description("Runs of this contact.")] Guid? contactId,
        [Description("running, waiting, paused, completed, failed, cancelled, converted or exited.")] string? status, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, RunsStore runs, CancellationToken ct)
    {
        var result = await unitOfWork.InTransactionAsync(() => runs.ListAsync(workflowId, contactId, status, page, ct), ct);
        return TypedResults.Ok(new Page<RunDto>(result.Items.Select(RunDto.From).ToList(), result.NextCursor));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<RunDto>> Get(Guid id, UnitOfWork unitOfWork, RunsStore runs, CancellationToken ct) =>
        TypedResults.Ok(RunDto.From(await unitOfWork.InTransactionAsync(() => runs.GetAsync(id, ct), ct) ?? throw new NotFoundException($"No run {id}.")));

    /// <summary>Every step of the run in order: "Spawned execution …", "Executing Action: Send Email", "Pausing until …".</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<IReadOnlyList<RunLogDto>>> Logs(Guid id, UnitOfWork unitOfWork, RunsStore runs, CancellationToken ct)
    {
        var logs = await unitOfWork.InTransactionAsync(async () =>
            await runs.GetAsync(id, ct) is null ? throw new NotFoundException($"No run {id}.") : await runs.LogsAsync(id, ct), ct);
        return TypedResults.Ok<IReadOnlyList<RunLogDto>>(logs.Select(l => new RunLogDto(l.Id, l.StepId, l.NodeId, l.NodeType, l.Attempt, l.Status, l.Message,
            l.Input, l.Output, l.Error, l.At, l.DurationMs)).ToList());
    }

    /// <summary>Ends the run: nothing more of it executes; a pending delay or wait fires into nothing.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The run has already finished.")]
    static Task<Ok<RunDto>> Cancel(Guid id, UnitOfWork unitOfWork, RunsStore runs, ISendEndpointProvider send, TimeProvider clock, CancellationToken ct) =>
        Change(id, "cancelled", unitOfWork, runs, send, clock, ct);

    /// <summary>Holds the run: steps that come due are kept and executed on resume.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The run has already finished.")]
    static Task<Ok<RunDto>> Pause(Guid id, UnitOfWork unitOfWork, RunsStore runs, ISendEndpointProvider send, TimeProvider clock, CancellationToken ct) =>
        Change(id, "paused", unitOfWork, runs, send, clock, ct);

    /// <summary>Continues a paused run where it was: the steps held while it was paused execute now.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The run has already finished.")]
    static Task<Ok<RunDto>> Resume(Guid id, UnitOfWork unitOfWork, RunsStore runs, ISendEndpointProvider send, TimeProvider clock, CancellationToken ct) =>
        Change(id, "running", unitOfWork, runs, send, clock, ct);

    static async Task<Ok<RunDto>> Change(Guid id, string to, UnitOfWork unitOfWork, RunsStore runs, ISendEndpointProvider send, TimeProvider clock,
        CancellationToken ct)
    {
        var run = await unitOfWork.InTransactionAsync(async () =>
        {
            var r = await runs.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No run {id}.");
            if (r.IsFinished)
                throw new ConflictException($"Run {id} is {r.Status}.");
            var now = clock.GetUtcNow().UtcDateTime;
            if (to == "running" && r.Status != "paused")
                return r;
            WorkflowRun changed;
            switch (to)
            {
                case "cancelled":
                    await runs.DeleteWaitsAsync(id, ct);
                    changed = r with { Status = to, ActiveSteps = 0, WakeAt = null, FinishedAt = now, UpdatedAt = now };
                    break;
                case "running":
                    foreach (var held in r.HeldSteps)
                        await send.SendAsync(r.Priority, held.Deserialize<ExecuteStep>()!, ct);
                    changed = r with { Status = r.WakeAt is null ? "running" : "waiting", HeldSteps = [], UpdatedAt = now };
                    break;
                default:
                    changed = r with { Status = to, UpdatedAt = now };
                    break;
            }

            await runs.UpdateAsync(changed, ct);
            await runs.LogAsync(id, null, null, null, 1, "info", to switch { "cancelled" => "Run cancelled", "paused" => "Run paused", _ => "Run resumed" },
                null, null, null, now, null, ct);
            return changed;
        }, ct);
        return TypedResults.Ok(RunDto.From(run));
    }

    static async Task<Ok<Page<DeadLetterDto>>> DeadLetters([Description("Dead letters of this workflow.")] Guid? workflowId,
        [Description("Also those already replayed.")] bool? includeReplayed, [AsParameters] PageRequest page, UnitOfWork unitOfWork, RunsStore runs,
        CancellationToken ct)
    {
        var result = await unitOfWork.InTransactionAsync(() => runs.DeadLettersAsync(workflowId, includeReplayed ?? false, page, ct), ct);
        return TypedResults.Ok(new Page<DeadLetterDto>(result.Items.Select(d => new DeadLetterDto(d.Id, d.RunId, d.WorkflowId, d.StepId, d.NodeId, d.Attempts,
            d.Error, d.CreatedAt, d.ReplayedAt)).ToList(), result.NextCursor));
    }

    /// <summary>Tries the dead-lettered step once more (a further attempt); its run, failed by it, goes on from there.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Already replayed, or the run was cancelled.")]
    static async Task<Accepted<DeadLetterDto>> Replay(Guid id, UnitOfWork unitOfWork, RunsStore runs, ISendEndpointProvider send, TimeProvider clock,
        CancellationToken ct)
    {
        var replayed = await unitOfWork.InTransactionAsync(async () =>
        {
            var d = await runs.DeadLetterAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No dead letter {id}.");
            if (d.ReplayedAt is not null)
                throw new ConflictException($"Dead letter {id} was replayed at {d.ReplayedAt:O}.");
            var run = (await runs.GetAsync(d.RunId, ct, forUpdate: true))!;
            if (run.Status is not ("failed" or "running" or "waiting"))
                throw new ConflictException($"Run {run.Id} is {run.Status}.");
            var now = clock.GetUtcNow();
            var step = d.Message.Deserialize<ExecuteStep>()!;
            await send.SendAsync(run.Priority, step with { Attempt = step.Attempt + 1, Phase = ExecuteStep.Enter, Handle = null, OccurredAt = now }, ct);
            await runs.UpdateAsync(run with { Status = "running", Error = null, FinishedAt = null, ActiveSteps = Math.Max(run.ActiveSteps, 0) + 1,
                UpdatedAt = now.UtcDateTime }, ct);
            await runs.MarkReplayedAsync(id, now.UtcDateTime, ct);
            await runs.LogAsync(run.Id, d.StepId, d.NodeId, null, step.Attempt + 1, "info", $"Dead letter replayed (attempt {step.Attempt + 1})", null, null,
                null, now.UtcDateTime, null, ct);
            return d with { ReplayedAt = now.UtcDateTime };
        }, ct);
        return TypedResults.Accepted($"/api/cortex/dead-letters/{id}", new DeadLetterDto(replayed.Id, replayed.RunId, replayed.WorkflowId, replayed.StepId,
            replayed.NodeId, replayed.Attempts, replayed.Error, replayed.CreatedAt, replayed.ReplayedAt));
    }
}
