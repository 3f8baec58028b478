using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.Outbound;
using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Graph;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Secrets;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// Workflows: a draft graph (the React Flow JSON a builder saves, stored as given), validated with errors per node and field,
/// published as immutable versions that runs are pinned to; paused, resumed, archived.
/// </summary>
public static class WorkflowsApi
{
    public const int MaxName = 200;
    public const int MaxDescription = 2000;
    public const int MaxGraphBytes = 1024 * 1024;

    public static IHostApplicationBuilder AddWorkflows(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<WorkflowsStore>();
        builder.Services.AddOptions<CortexOptions>().BindConfiguration(CortexOptions.Section);
        builder.Services.AddSingleton<GrowthOps.Templates.TemplateRenderer>();
        builder.Services.AddScoped<RunsStore>();
        builder.Services.AddScoped<ContactsStore>();
        builder.Services.AddScoped<Domain.Runs.RunModel>();
        builder.Services.AddScoped<Domain.Runs.ActionRunner>();
        builder.Services.AddScoped<Domain.Runs.PublishedGraphs>();
        builder.Services.AddScoped<Domain.Runs.Walker>();
        builder.Services.AddScoped<Domain.Runs.AbSplit>();
        builder.Services.AddScoped<Domain.Runs.RunMigration>();
        builder.Services.AddScoped<Domain.Runs.Watcher>();
        builder.Services.AddScoped<SchedulesStore>();
        builder.Services.AddHostedService<Domain.Runs.WorkflowScheduler>();
        // No resilience handler: the action's own retry schedule decides when to try again (the default handler's retries would
        // hold the step's transaction for seconds per attempt and multiply the attempts).
// Tenant-supplied URLs: the outbound guard refuses private, loopback and metadata addresses (SSRF).
#pragma warning disable EXTEXP0001
        builder.Services.AddOutboundHttpClient(Domain.Runs.ActionRunner.HttpClientName).RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        builder.Services.AddSingleton<Domain.Runs.HostCircuits>();
        builder.Services.AddScoped<SecretsStore>();
        builder.Services.AddScoped<NotificationsStore>();
        builder.Services.AddTenantSecretBox<CortexOptions>($"{CortexOptions.Section}:{nameof(CortexOptions.SecretsKey)}", o => o.SecretsKey);
        return builder;
    }

    public static RouteGroupBuilder MapWorkflowsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/catalog", Catalog).WithTags("Workflows").RequireScope(WorkflowScopes.Read);
        var workflows = api.MapGroup("/workflows").WithTags("Workflows");
        workflows.MapPost("/", Create).WithIdempotency().RequireScope(WorkflowScopes.Create);
        workflows.MapGet("/", List).RequireScope(WorkflowScopes.Read);
        workflows.MapGet("/{id:guid}", Get).RequireScope(WorkflowScopes.Read);
        workflows.MapPatch("/{id:guid}", Patch).RequireScope(WorkflowScopes.Update);
        workflows.MapDelete("/{id:guid}", Delete).RequireScope(WorkflowScopes.Delete);
        workflows.MapPost("/{id:guid}/validate", Validate).RequireScope(WorkflowScopes.Read);
        workflows.MapPost("/{id:guid}/publish", Publish).RequireScope(WorkflowScopes.Update);
        workflows.MapGet("/{id:guid}/versions", Versions).RequireScope(WorkflowScopes.Read);
        workflows.MapGet("/{id:guid}/versions/{version:int}", Version).RequireScope(WorkflowScopes.Read);
        workflows.MapPost("/{id:guid}/duplicate", Duplicate).WithIdempotency().RequireScope(WorkflowScopes.Create);
        workflows.MapGet("/{id:guid}/export", Export).RequireScope(WorkflowScopes.Read);
        workflows.MapPost("/import", Import).WithIdempotency().RequireScope(WorkflowScopes.Create);
        workflows.MapPost("/{id:guid}/pause", Pause).RequireScope(WorkflowScopes.Pause);
        workflows.MapPost("/{id:guid}/resume", Resume).RequireScope(WorkflowScopes.Pause);
        workflows.MapPost("/{id:guid}/archive", Archive).RequireScope(WorkflowScopes.Delete);
        api.MapGet("/schedules", Schedules).WithTags("Workflows").RequireScope(WorkflowScopes.Read);
        return api;
    }

    public sealed record WorkflowRequest(
        [property: MaxLength(MaxName)] string? Name = null,
        [property: MaxLength(MaxDescription)] string? Description = null,
        [property: Description("The builder's graph: {nodes: [{id, type, position, data}], edges: [{id, source, target, sourceHandle}]}, stored as given.")]
        [property: JsonLimits(MaxProperties = 50, MaxKeyLength = 100, MaxDepth = 24, MaxBytes = MaxGraphBytes)]
        JsonElement? Graph = null,
        [property: MaxLength(20), RegularExpression("^(once_per_contact|once_per_days|always)$"), Description("Re-entry: once_per_contact (default), once_per_days (reentry_days), always.")]
        string? Reentry = null,
        [property: Range(1, 3650)] int? ReentryDays = null,
        [property: Description("An event that ends a run as converted: {event_type, filter}.")]
        [property: JsonLimits(MaxProperties = 20, MaxKeyLength = 100, MaxDepth = 8, MaxBytes = 16384)]
        JsonElement? Goal = null,
        [property: Description("Conditions that end a run early.")]
        [property: JsonLimits(MaxProperties = 20, MaxKeyLength = 100, MaxDepth = 8, MaxBytes = 16384)]
        JsonElement? ExitCriteria = null);

    public sealed record WorkflowDto(
        Guid Id, string Name, string? Description,
        [property: Description("draft, active, paused or archived.")] string Status,
        JsonElement Graph, string Reentry, int? ReentryDays, JsonElement? Goal, JsonElement? ExitCriteria,
        [property: Description("The live version new runs start on; null until published.")] int? CurrentVersion,
        string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public static WorkflowDto From(Workflow w) => new(w.Id, w.Name, w.Description, w.Status, w.Graph, w.Reentry, w.ReentryDays, w.Goal, w.ExitCriteria,
            w.CurrentVersion, w.CreatedBy, w.CreatedAt, w.UpdatedAt);
    }

    public sealed record VersionDto(Guid WorkflowId, int Version, string TriggerType, JsonElement Graph, string? PublishedBy, DateTime PublishedAt)
    {
        public static VersionDto From(WorkflowVersion v) => new(v.WorkflowId, v.Version, v.TriggerType, v.Graph, v.PublishedBy, v.PublishedAt);
    }

    public sealed record ValidationResult(bool Valid, string? TriggerType, IReadOnlyDictionary<string, string[]> Errors);

    public sealed record CatalogDto(IReadOnlyList<string> NodeTypes, IReadOnlyList<string> Triggers, IReadOnlyDictionary<string, JsonElement?> Actions);

    static readonly JsonElement EmptyGraph = JsonSerializer.SerializeToElement(new { nodes = Array.Empty<object>(), edges = Array.Empty<object>() });

    /// <summary>Node types, trigger types and actions with the JSON Schema of each action's config (null: any object).</summary>
    static Ok<CatalogDto> Catalog() => TypedResults.Ok(new CatalogDto(NodeCatalog.NodeTypes.Order().ToList(), NodeCatalog.TriggerTypes.Order().ToList(),
        NodeCatalog.Actions.Order().ToDictionary(a => a, a => NodeCatalog.SchemaTextOf(a) is { } s ? JsonSerializer.Deserialize<JsonElement>(s) : (JsonElement?)null)));

    static Dictionary<string, string[]> Check(WorkflowRequest request, bool create)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (create && string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required"];
        else if (request.Name is { } name && string.IsNullOrWhiteSpace(name))
            errors["name"] = ["cannot be blank"];
        if (request.Graph is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } graph)
            WorkflowGraph.Read(graph, errors);
        if (request.Reentry is not (null or "once_per_contact" or "once_per_days" or "always"))
            errors["reentry"] = ["once_per_contact, once_per_days or always"];
        if (request.ReentryDays is < 1 or > 3650)
            errors["reentry_days"] = ["1 to 3650"];
        if (request.Reentry == "once_per_days" && request.ReentryDays is null)
            errors["reentry_days"] = ["required with once_per_days"];
        return errors;
    }

    [ProducesProblem(StatusCodes.Status400BadRequest)]
    static async Task<Results<Created<WorkflowDto>, ValidationProblem>> Create(WorkflowRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        WorkflowsStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Check(request, create: true) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var workflow = new Workflow(Guid.CreateVersion7(), request.Name!.Trim(), request.Description, "draft", Present(request.Graph) ?? EmptyGraph,
            request.Reentry ?? "once_per_contact", request.ReentryDays, Present(request.Goal), Present(request.ExitCriteria), null, user.FindFirst("sub")?.Value,
            now, now);
        await unitOfWork.InTransactionAsync(async () => await store.InsertAsync(workflow, ct), ct);
        return TypedResults.Created($"/api/cortex/workflows/{workflow.Id}", WorkflowDto.From(workflow));
    }

    static JsonElement? Present(JsonElement? e) => e is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } v ? v : null;

    static async Task<Ok<Page<WorkflowDto>>> List([Description("draft, active, paused or archived.")] string? status, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct) =>
        TypedResults.Ok((await unitOfWork.InTransactionAsync(() => store.ListAsync(status, page, ct), ct)).Select(WorkflowDto.From));

    static async Task<Results<Ok<WorkflowDto>, NotFound>> Get(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(() => store.GetAsync(id, ct), ct) is { } w ? TypedResults.Ok(WorkflowDto.From(w)) : TypedResults.NotFound();

    /// <summary>Changes the draft (and settings); the live version stays until the next publish.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The workflow is archived.")]
    static async Task<Results<Ok<WorkflowDto>, ValidationProblem>> Patch(Guid id, WorkflowRequest request, UnitOfWork unitOfWork, WorkflowsStore store,
        TimeProvider clock, CancellationToken ct)
    {
        if (Check(request, create: false) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var changed = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No workflow {id}.");
            if (w.Status == "archived")
                throw new ConflictException("An archived workflow is not edited; duplicate it instead.");
            var reentry = request.Reentry ?? w.Reentry;
            var updated = w with
            {
                Name = request.Name?.Trim() ?? w.Name, Description = request.Description ?? w.Description, Graph = Present(request.Graph) ?? w.Graph,
                Reentry = reentry, ReentryDays = reentry == "once_per_days" ? request.ReentryDays ?? w.ReentryDays : null,
                Goal = Present(request.Goal) ?? w.Goal, ExitCriteria = Present(request.ExitCriteria) ?? w.ExitCriteria, UpdatedAt = clock.GetUtcNow().UtcDateTime,
            };
            if (updated.Reentry == "once_per_days" && updated.ReentryDays is null)
                throw new RuleRefusedException("once_per_days needs reentry_days.", new Dictionary<string, object?> { ["field"] = "reentry_days" });
            await store.UpdateAsync(updated, ct);
            return updated;
        }, ct);
        return TypedResults.Ok(WorkflowDto.From(changed));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<NoContent, NotFound>> Delete(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(() => store.DeleteAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Whether the draft could be published, and if not every reason, by node or edge id and field.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<ValidationResult>> Validate(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct)
    {
        var w = await unitOfWork.InTransactionAsync(() => store.GetAsync(id, ct), ct) ?? throw new NotFoundException($"No workflow {id}.");
        return TypedResults.Ok(ValidationOf(w.Graph));
    }

    static ValidationResult ValidationOf(JsonElement json)
    {
        var errors = new Dictionary<string, string[]>();
        var graph = WorkflowGraph.Read(json, errors);
        if (graph is not null)
            errors = graph.Validate();
        return new ValidationResult(errors.Count == 0, errors.Count == 0 ? graph!.TriggerType : null, errors);
    }

    /// <summary>
    /// Publishes the draft as the next immutable version and makes it the live one: new runs start on it, runs already going
    /// stay on theirs. The workflow becomes active (a paused one stays paused).
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The workflow is archived.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The draft is not valid (errors: by node or edge id and field).")]
    static async Task<Created<VersionDto>> Publish(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, WorkflowsStore store, SchedulesStore schedules,
        TimeProvider clock, CancellationToken ct)
    {
        var version = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No workflow {id}.");
            if (w.Status == "archived")
                throw new ConflictException("An archived workflow is not published; duplicate it instead.");
            var validation = ValidationOf(w.Graph);
            if (!validation.Valid)
                throw new RuleRefusedException("The workflow's graph is not valid.", new Dictionary<string, object?> { ["errors"] = validation.Errors });
            var now = clock.GetUtcNow().UtcDateTime;
            var v = new WorkflowVersion(id, (w.CurrentVersion ?? 0) + 1, w.Graph, validation.TriggerType!, user.FindFirst("sub")?.Value, now);
            await store.InsertVersionAsync(v, ct);
            var status = w.Status == "paused" ? "paused" : "active";
            await store.UpdateAsync(w with { CurrentVersion = v.Version, Status = status, UpdatedAt = now }, ct);
            await store.SetTriggerAsync(id, status == "active" ? v.TriggerType : null, v.Version, TriggerFilter(w.Graph), ct);
            await schedules.SetAsync(id, v.Version, status == "active" ? Schedule(w.Graph) : null, clock.GetUtcNow(), ct);
            return v;
        }, ct);
        return TypedResults.Created($"/api/cortex/workflows/{id}/versions/{version.Version}", VersionDto.From(version));
    }

    public sealed record ScheduleDto(Guid WorkflowId, int Version, [property: Description("cron or interval.")] string Kind, string? Cron,
        string Timezone, double? IntervalSeconds, [property: Description("Runs for this segment's members; none: one run without a contact.")] Guid? SegmentId,
        DateTime NextRunAt, DateTime? LastRunAt);

    /// <summary>The live schedules (workflows triggered by schedule.cron or schedule.interval), soonest first.</summary>
    static async Task<Ok<List<ScheduleDto>>> Schedules(UnitOfWork unitOfWork, SchedulesStore schedules, CancellationToken ct) =>
        TypedResults.Ok((await unitOfWork.InTransactionAsync(() => schedules.ListAsync(ct), ct))
            .Select(s => new ScheduleDto(s.WorkflowId, s.Version, s.Kind, s.Cron, s.Timezone, s.IntervalSeconds, s.SegmentId, s.NextRunAt, s.LastRunAt)).ToList());

    /// <summary>The schedule of a graph whose trigger is schedule.cron or schedule.interval (a published graph: valid).</summary>
    static Domain.Runs.ScheduleSpec? Schedule(JsonElement json) =>
        WorkflowGraph.Read(json, [])?.TriggerNode is { Subtype: { } type } trigger && Domain.Runs.ScheduleSpec.IsSchedule(type)
            ? Domain.Runs.ScheduleSpec.Read(type, trigger.Data, "", (_, _) => { })
            : null;

    static JsonElement? TriggerFilter(JsonElement json)
    {
        var graph = WorkflowGraph.Read(json, []);
        return graph?.TriggerNode?.Data is { ValueKind: JsonValueKind.Object } data && data.TryGetProperty("filter", out var f) ? f : null;
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<IReadOnlyList<VersionDto>>> Versions(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<VersionDto>>((await unitOfWork.InTransactionAsync(async () =>
            await store.GetAsync(id, ct) is null ? throw new NotFoundException($"No workflow {id}.") : await store.VersionsAsync(id, ct), ct))
            .Select(VersionDto.From).ToList());

    static async Task<Results<Ok<VersionDto>, NotFound>> Version(Guid id, int version, UnitOfWork unitOfWork, WorkflowsStore store, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(() => store.VersionAsync(id, version, ct), ct) is { } v ? TypedResults.Ok(VersionDto.From(v)) : TypedResults.NotFound();

    public const string ExportFormat = "growthops.workflow/v1";

    /// <summary>A workflow as a file: its draft and settings (no status, versions or runs), for <c>POST /workflows/import</c>.</summary>
    public sealed record WorkflowExport(
        [property: Description("growthops.workflow/v1")] string Format, string Name, string? Description, JsonElement Graph, string Reentry,
        int? ReentryDays, JsonElement? Goal, JsonElement? ExitCriteria, DateTime ExportedAt);

    /// <summary>A new draft with the workflow's graph and settings, named "… (copy)" unless a name is given.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Created<WorkflowDto>, ValidationProblem>> Duplicate(Guid id, [Description("The copy's name.")] string? name,
        ClaimsPrincipal user, UnitOfWork unitOfWork, WorkflowsStore store, TimeProvider clock, CancellationToken ct)
    {
        if (name is { Length: 0 or > MaxName } || (name is not null && string.IsNullOrWhiteSpace(name)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"1 to {MaxName} characters"] });
        var copy = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await store.GetAsync(id, ct) ?? throw new NotFoundException($"No workflow {id}.");
            var now = clock.GetUtcNow().UtcDateTime;
            var suffix = " (copy)";
            var copyName = name?.Trim() ?? (w.Name.Length + suffix.Length <= MaxName ? w.Name + suffix : w.Name);
            var c = w with
            {
                Id = Guid.CreateVersion7(), Name = copyName, Status = "draft", CurrentVersion = null, CreatedBy = user.FindFirst("sub")?.Value,
                CreatedAt = now, UpdatedAt = now,
            };
            await store.InsertAsync(c, ct);
            return c;
        }, ct);
        return TypedResults.Created($"/api/cortex/workflows/{copy.Id}", WorkflowDto.From(copy));
    }

    static async Task<Results<Ok<WorkflowExport>, NotFound>> Export(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, TimeProvider clock,
        CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(() => store.GetAsync(id, ct), ct) is { } w
            ? TypedResults.Ok(new WorkflowExport(ExportFormat, w.Name, w.Description, w.Graph, w.Reentry, w.ReentryDays, w.Goal, w.ExitCriteria,
                clock.GetUtcNow().UtcDateTime))
            : TypedResults.NotFound();

    public sealed record ImportRequest(
        [property: MaxLength(40), Description("growthops.workflow/v1")] string? Format,
        [property: MaxLength(MaxName)] string? Name = null,
        [property: MaxLength(MaxDescription)] string? Description = null,
        [property: JsonLimits(MaxProperties = 50, MaxKeyLength = 100, MaxDepth = 24, MaxBytes = MaxGraphBytes)] JsonElement? Graph = null,
        [property: MaxLength(20), RegularExpression("^(once_per_contact|once_per_days|always)$")] string? Reentry = null,
        [property: Range(1, 3650)] int? ReentryDays = null,
        [property: JsonLimits(MaxProperties = 20, MaxKeyLength = 100, MaxDepth = 8, MaxBytes = 16384)] JsonElement? Goal = null,
        [property: JsonLimits(MaxProperties = 20, MaxKeyLength = 100, MaxDepth = 8, MaxBytes = 16384)] JsonElement? ExitCriteria = null,
        DateTime? ExportedAt = null);

    /// <summary>An exported workflow (another tenant's or installation's) as a new draft of this tenant's.</summary>
    static async Task<Results<Created<WorkflowDto>, ValidationProblem>> Import(ImportRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        WorkflowsStore store, TimeProvider clock, CancellationToken ct)
    {
        if (request.Format != ExportFormat)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["format"] = [$"must be {ExportFormat} (GET /workflows/{{id}}/export)"] });
        if (Present(request.Graph) is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["graph"] = ["required"] });
        return await Create(new WorkflowRequest(request.Name, request.Description, request.Graph, request.Reentry, request.ReentryDays, request.Goal,
            request.ExitCriteria), user, unitOfWork, store, clock, ct);
    }

    /// <summary>No new runs start; waiting runs hold.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Never published, or archived.")]
    static Task<Ok<WorkflowDto>> Pause(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, SchedulesStore schedules, CancellationToken ct) =>
        SetStatus(id, "paused", unitOfWork, store, schedules, ct);

    /// <summary>The live version starts runs again.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Never published, or archived.")]
    static Task<Ok<WorkflowDto>> Resume(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, SchedulesStore schedules, CancellationToken ct) =>
        SetStatus(id, "active", unitOfWork, store, schedules, ct);

    /// <summary>Final: no runs start, the workflow is no longer edited or published.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<WorkflowDto>> Archive(Guid id, UnitOfWork unitOfWork, WorkflowsStore store, SchedulesStore schedules, CancellationToken ct) =>
        SetStatus(id, "archived", unitOfWork, store, schedules, ct);

    static async Task<Ok<WorkflowDto>> SetStatus(Guid id, string status, UnitOfWork unitOfWork, WorkflowsStore store, SchedulesStore schedules,
        CancellationToken ct)
    {
        var changed = await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No workflow {id}.");
            if (w.Status == status)
                return w;
            if (w.Status == "archived")
                throw new ConflictException("An archived workflow stays archived.");
            if (status is "active" or "paused" && w.CurrentVersion is null)
                throw new ConflictException($"Workflow {id} has never been published: publish it first.");
            var updated = w with { Status = status, UpdatedAt = DateTime.UtcNow };
            await store.UpdateAsync(updated, ct);
            var live = status == "active" ? await store.VersionAsync(id, w.CurrentVersion!.Value, ct) : null;
            await store.SetTriggerAsync(id, live?.TriggerType, live?.Version, live is null ? null : TriggerFilter(live.Graph), ct);
            await schedules.SetAsync(id, live?.Version, live is null ? null : Schedule(live.Graph), DateTimeOffset.UtcNow, ct);
            return updated;
        }, ct);
        return TypedResults.Ok(WorkflowDto.From(changed));
    }
}
