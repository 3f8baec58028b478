using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Sequences;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using GrowthOps.Templates;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// Multi-touch sequences (the seed's 19 routes): sequences and their steps, enrolling leads (one by one, in bulk or a whole
/// campaign), pausing, resuming and stopping a lead's enrolment, its state, the execution log and the analytics. Steps fire on
/// time by themselves (the enrolment saga on the durable scheduler); <c>POST /sequences/process-queue</c> only reports.
/// </summary>
public static class SequencesApi
{
    public const int MaxName = 200;
    public const int MaxDescription = 2000;
    public const int MaxSteps = 100;

    public static IHostApplicationBuilder AddSequences(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SequencesStore>();
        builder.Services.AddScoped<SequenceRunner>();
        return builder;
    }

    /// <summary>The routes, under <c>/api/cortex</c> and (<paramref name="compatibility"/>) at the seed's own paths.</summary>
    public static IEndpointRouteBuilder MapSequencesApi(this IEndpointRouteBuilder api, bool compatibility = false)
    {
        var tag = compatibility ? "Sequences (seed paths)" : "Sequences";
        var sequences = api.MapGroup("/sequences").WithTags(tag);
        sequences.MapPost("/", Create).WithIdempotency().RequireScope(WorkflowScopes.Create);
        sequences.MapGet("/", List).RequireScope(WorkflowScopes.Read);
        sequences.MapPost("/process-queue", ProcessQueue).RequireScope(WorkflowScopes.Execute);
        sequences.MapGet("/{id:guid}", Get).RequireScope(WorkflowScopes.Read);
        sequences.MapPut("/{id:guid}", Update).RequireScope(WorkflowScopes.Update);
        sequences.MapDelete("/{id:guid}", Delete).RequireScope(WorkflowScopes.Delete);
        sequences.MapPost("/{id:guid}/duplicate", Duplicate).WithIdempotency().RequireScope(WorkflowScopes.Create);
        sequences.MapGet("/{id:guid}/steps", Steps).RequireScope(WorkflowScopes.Read);
        sequences.MapPost("/{id:guid}/steps", AddStep).RequireScope(WorkflowScopes.Update);
        // {step}: the step's id or its step_order (the seed's paths use either).
        const string step = "{step:regex(^([0-9]{{1,9}}|[0-9a-fA-F]{{8}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{4}}-[0-9a-fA-F]{{12}})$)}";
        sequences.MapPut($"/{{id:guid}}/steps/{step}", UpdateStep).RequireScope(WorkflowScopes.Update);
        sequences.MapDelete($"/{{id:guid}}/steps/{step}", DeleteStep).RequireScope(WorkflowScopes.Update);
        sequences.MapGet("/{id:guid}/analytics", Analytics).RequireScope(WorkflowScopes.ViewAnalytics);
        api.MapPost("/campaigns/{id:guid}/assign-sequence", AssignToCampaign).WithTags(tag).RequireScope(WorkflowScopes.Execute);
        var leads = api.MapGroup("/leads").WithTags(tag);
        leads.MapPost("/enroll-in-sequence", Enroll).RequireScope(WorkflowScopes.Execute);
        leads.MapGet("/{id:guid}/sequence-state", LeadState).RequireScope(WorkflowScopes.ViewRuns);
        leads.MapPost("/{id:guid}/pause-sequence", PauseLead).RequireScope(WorkflowScopes.Pause);
        leads.MapPost("/{id:guid}/resume-sequence", ResumeLead).RequireScope(WorkflowScopes.Pause);
        leads.MapPost("/{id:guid}/stop-sequence", StopLead).RequireScope(WorkflowScopes.Execute);
        if (!compatibility)
        {
            sequences.MapPost("/{id:guid}/steps/reorder", Reorder).RequireScope(WorkflowScopes.Update);
            sequences.MapGet("/{id:guid}/enrollments", Enrollments).RequireScope(WorkflowScopes.ViewRuns);
            sequences.MapGet("/{id:guid}/log", SequenceLog).RequireScope(WorkflowScopes.ViewRuns);
            leads.MapGet("/{id:guid}/sequence-log", LeadLog).RequireScope(WorkflowScopes.ViewRuns);
        }

        return api;
    }

    // ---- Sequences -------------------------------------------------------------------------------------------------------

    public sealed record SequenceRequest(
        [property: MaxLength(MaxName)] string? Name = null,
        [property: MaxLength(MaxDescription)] string? Description = null,
        [property: MaxLength(10), Description("draft (new sequences), active, paused or archived.")] string? Status = null,
        SequenceSettings? Settings = null,
        [property: MaxLength(MaxSteps), Description("On create: the steps, in order (step_order may be left out).")] IReadOnlyList<SequenceStepRequest>? Steps = null);

    /// <summary>A step as the API takes it: its order, type and name, and its type's fields.</summary>
    public sealed record SequenceStepRequest : StepFields
    {
        [Range(1, MaxSteps), Description("1-based; a new step goes last unless given (the steps at and after it move down).")]
        public int? StepOrder { get; init; }

        [MaxLength(10), Description("email, delay, condition or action.")]
        public string? StepType { get; init; }

        [MaxLength(MaxName)]
        public string? Name { get; init; }
    }

    public sealed record SequenceStepDto : StepFields
    {
        public Guid Id { get; init; }
        public Guid SequenceId { get; init; }
        public int StepOrder { get; init; }
        [Description("email, delay, condition or action.")] public string StepType { get; init; } = "";
        public string? Name { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }

        /// <summary>The stored fields (the config is a <see cref="StepFields"/> in snake_case) with the step's own columns.</summary>
        public static SequenceStepDto From(SequenceStep s) =>
            (s.Config.Deserialize<SequenceStepDto>(SequenceJson.Options) ?? new SequenceStepDto()) with
            {
                Id = s.Id, SequenceId = s.SequenceId, StepOrder = s.StepOrder, StepType = s.StepType, Name = s.Name, CreatedAt = s.CreatedAt,
                UpdatedAt = s.UpdatedAt,
            };
    }

    public sealed record SequenceEnrollmentCounts(int TotalEnrolled, int Active, int Paused, int Completed, int Stopped);

    public sealed record SequenceDto(
        Guid Id, string Name, string? Description, [property: Description("draft, active, paused or archived.")] string Status, SequenceSettings Settings,
        int StepsCount, SequenceEnrollmentCounts Enrollments, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt,
        [property: Description("On GET /sequences/{id} and create: the steps in order.")] IReadOnlyList<SequenceStepDto>? Steps);

    static SequenceDto Dto(Sequence s, SequenceEnrollmentCounts counts, IReadOnlyList<SequenceStep>? steps) =>
        new(s.Id, s.Name, s.Description, s.Status, s.ParsedSettings, s.StepsCount, counts, s.CreatedBy, s.CreatedAt, s.UpdatedAt,
            steps?.Select(SequenceStepDto.From).ToList());

    /// <summary>
    /// A number beyond a double's range (<c>1e309</c>, 400 digits) binds as an infinity: refused by name before anything
    /// serialises it (JSON cannot carry it back).
    /// </summary>
    static Dictionary<string, string[]> Infinities(SequenceRequest request)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.Settings?.StaggerSeconds is { } stagger && !double.IsFinite(stagger))
            errors["settings.stagger_seconds"] = [JsonNumbers.OutOfRange];
        foreach (var (step, i) in (request.Steps ?? []).Select((s, i) => (s, i)))
            if (step is not null)
                foreach (var (key, value) in Infinities(step))
                    errors[$"steps[{i}].{key}"] = value;
        return errors;
    }

    static Dictionary<string, string[]> Infinities(StepFields f)
    {
        var errors = new Dictionary<string, string[]>();
        foreach (var (name, value) in new[] { ("weight", f.Weight), ("delay_days", f.DelayDays), ("delay_hours", f.DelayHours), ("delay_minutes", f.DelayMinutes) })
            if (value is { } v && !double.IsFinite(v))
                errors[name] = [JsonNumbers.OutOfRange];
        foreach (var (variant, i) in (f.Variants ?? []).Select((v, i) => (v, i)))
            if (variant?.Weight is { } w && !double.IsFinite(w))
                errors[$"variants[{i}].weight"] = [JsonNumbers.OutOfRange];
        return errors;
    }

    static Dictionary<string, string[]> Check(SequenceRequest request, bool create, TemplateRenderer renderer)
    {
        if (Infinities(request) is { Count: > 0 } infinite)
            return infinite;
        var errors = RequestLimits.Errors(request) ?? [];
        if (create && string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required"];
        else if (request.Name is { } name && string.IsNullOrWhiteSpace(name))
            errors["name"] = ["cannot be blank"];
        if (request.Status is { } status && !SequenceCatalog.Statuses.Contains(status))
            errors["status"] = ["draft, active, paused or archived"];
        request.Settings?.Check(errors);
        if (!create && request.Steps is not null)
            errors["steps"] = ["steps change through /sequences/{id}/steps"];
        foreach (var (step, i) in (request.Steps ?? []).Select((s, i) => (s, i)))
        {
            if (step is null)
            {
                errors[$"steps[{i}]"] = ["a step, not null"];
                continue;
            }

            var stepErrors = CheckStep(step, true, renderer);
            foreach (var (key, value) in stepErrors)
                errors[$"steps[{i}].{key}"] = value;
        }

        return errors;
    }

    static Dictionary<string, string[]> CheckStep(SequenceStepRequest step, bool create, TemplateRenderer renderer)
    {
        if (Infinities(step) is { Count: > 0 } infinite)
            return infinite;
        var errors = RequestLimits.Errors(step) ?? [];
        if (create && step.StepType is null)
            errors["step_type"] = ["required: email, delay, condition or action"];
        else if (step.StepType is { } type && !SequenceCatalog.StepTypes.Contains(type))
            errors["step_type"] = ["email, delay, condition or action"];
        if (step.StepType is { } t && SequenceCatalog.StepTypes.Contains(t))
            SequenceCatalog.Check(t, step, source => renderer.Validate(source), errors);
        return errors;
    }

    /// <summary>The type-specific fields alone, as stored: serialised as <see cref="StepFields"/>, a request's order, type and name are left out (they are columns).</summary>
    static JsonElement Config(StepFields f) => JsonSerializer.SerializeToElement(f, SequenceJson.Options);

    static JsonElement SettingsJson(SequenceSettings? s) => JsonSerializer.SerializeToElement(s ?? new SequenceSettings(), SequenceJson.Options);

    [ProducesProblem(StatusCodes.Status400BadRequest)]
    static async Task<Results<Created<SequenceDto>, ValidationProblem>> Create(SequenceRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        SequencesStore store, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        if (Check(request, create: true, renderer) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (request.Status is "paused" or "archived")
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["a new sequence is draft or active"] });
        var now = clock.GetUtcNow().UtcDateTime;
        var sequence = new Sequence(Guid.CreateVersion7(), request.Name!.Trim(), request.Description, request.Status ?? "draft", SettingsJson(request.Settings),
            0, user.FindFirst("sub")?.Value, now, now);
        var (created, steps) = await unitOfWork.InTransactionAsync(async () =>
        {
            await store.InsertAsync(sequence, ct);
            var order = 0;
            foreach (var step in request.Steps ?? [])
            {
                order++;
                await store.InsertStepAsync(new SequenceStep(Guid.CreateVersion7(), sequence.Id, order, step.StepType!, step.Name, Config(step), now, now), ct);
            }

            return ((await store.GetAsync(sequence.Id, ct))!, await store.StepsAsync(sequence.Id, ct));
        }, ct);
        return TypedResults.Created($"/api/cortex/sequences/{created.Id}", Dto(created, new SequenceEnrollmentCounts(0, 0, 0, 0, 0), steps));
    }

    static async Task<Results<Ok<Page<SequenceDto>>, ValidationProblem>> List([Description("draft, active, paused or archived.")] string? status,
        [AsParameters] PageRequest page, UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct)
    {
        if (status is not null && !SequenceCatalog.Statuses.Contains(status))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["draft, active, paused or archived"] });
        var (list, counts) = await unitOfWork.InTransactionAsync(async () =>
        {
            var p = await store.ListAsync(status, page, ct);
            return (p, await CountsAsync(unitOfWork, p.Items.Select(s => s.Id).ToArray(), ct));
        }, ct);
        return TypedResults.Ok(list.Select(s => Dto(s, counts.GetValueOrDefault(s.Id, new SequenceEnrollmentCounts(0, 0, 0, 0, 0)), null)));
    }

    static async Task<Dictionary<Guid, SequenceEnrollmentCounts>> CountsAsync(UnitOfWork unitOfWork, Guid[] ids, CancellationToken ct)
    {
        var rows = await unitOfWork.Connection.QueryAsync<(Guid SequenceId, string? State, int Count)>(unitOfWork.Command("""
            select sequence_id, current_state, count(*)::int from cortex.lead_sequence_state where sequence_id = any(@ids) group by sequence_id, current_state
            """, new { ids }, ct));
        return rows.GroupBy(r => r.SequenceId).ToDictionary(g => g.Key, g =>
        {
            int N(params string[] states) => g.Where(r => states.Contains(r.State)).Sum(r => r.Count);
            return new SequenceEnrollmentCounts(g.Sum(r => r.Count), N("Waiting", "Sending"), N("Paused"), N("Completed"), N("Stopped"));
        });
    }

    static async Task<Results<Ok<SequenceDto>, NotFound>> Get(Guid id, UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct)
    {
        var found = await unitOfWork.InTransactionAsync(async () =>
        {
            var (s, steps) = await store.WithStepsAsync(id, ct);
            return s is null ? null : Dto(s, (await CountsAsync(unitOfWork, [id], ct)).GetValueOrDefault(id, new SequenceEnrollmentCounts(0, 0, 0, 0, 0)), steps);
        }, ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found);
    }

    /// <summary>
    /// Name, description, settings and status. Status moves draft → active ⇄ paused → archived: pausing holds every enrolment
    /// at its next step, resuming continues them, archiving stops them (reason sequence_archived); nothing goes back to draft.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is archived, or the status cannot move that way.")]
    static async Task<Results<Ok<SequenceDto>, ValidationProblem>> Update(Guid id, SequenceRequest request, UnitOfWork unitOfWork, SequencesStore store,
        TemplateRenderer renderer, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        if (Check(request, create: false, renderer) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var dto = await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No sequence {id}.");
            if (s.Status == "archived")
                throw new ConflictException("An archived sequence is not changed; duplicate it instead.");
            var status = request.Status ?? s.Status;
            if (status == "draft" && s.Status != "draft")
                throw new ConflictException($"A {s.Status} sequence does not go back to draft.", new Dictionary<string, object?> { ["status"] = s.Status });
            var now = clock.GetUtcNow();
            var updated = s with
            {
                Name = request.Name?.Trim() ?? s.Name, Description = request.Description ?? s.Description, Status = status,
                Settings = request.Settings is null ? s.Settings : SettingsJson(request.Settings), UpdatedAt = now.UtcDateTime,
            };
            await store.UpdateAsync(updated, ct);
            if (s.Status == "paused" && status == "active")
                foreach (var contact in await ContactsInStateAsync(unitOfWork, id, ["Paused"], ct))
                    await publish.Publish(new ResumeSequence(unitOfWork.TenantId!.Value, id, contact, "sequence", now, OnlyPausedBy: "sequence"), ct);
            if (status == "archived")
                foreach (var contact in await ContactsInStateAsync(unitOfWork, id, ["Waiting", "Sending", "Paused"], ct))
                    await publish.Publish(new StopSequence(unitOfWork.TenantId!.Value, Guid.NewGuid(), id, contact, "sequence_archived", "sequence", now), ct);
            return Dto(updated, (await CountsAsync(unitOfWork, [id], ct)).GetValueOrDefault(id, new SequenceEnrollmentCounts(0, 0, 0, 0, 0)), null);
        }, ct);
        return TypedResults.Ok(dto);
    }

    static async Task<IReadOnlyList<Guid>> ContactsInStateAsync(UnitOfWork unitOfWork, Guid sequenceId, string[] states, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command(
            "select contact_id from cortex.lead_sequence_state where sequence_id = @sequenceId and current_state = any(@states)",
            new { sequenceId, states }, ct))).ToList();

    /// <summary>Deletes a draft sequence with its steps; any other status is a 409 (archive it instead).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Only a draft sequence is deleted.")]
    static async Task<Results<NoContent, NotFound>> Delete(Guid id, UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await store.GetAsync(id, ct, forUpdate: true);
            if (s is null)
                return false;
            if (s.Status != "draft")
                throw new ConflictException($"Only a draft sequence is deleted; this one is {s.Status} (archive it instead).",
                    new Dictionary<string, object?> { ["status"] = s.Status });
            return await store.DeleteAsync(id, ct);
        }, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    /// <summary>A new draft with the sequence's settings and all its steps, named "… (copy)" unless a name is given.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Created<SequenceDto>, ValidationProblem>> Duplicate(Guid id, [Description("The copy's name.")] string? name,
        ClaimsPrincipal user, UnitOfWork unitOfWork, SequencesStore store, TimeProvider clock, CancellationToken ct)
    {
        if (name is not null && (name.Length > MaxName || string.IsNullOrWhiteSpace(name)))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = [$"1 to {MaxName} characters"] });
        var dto = await unitOfWork.InTransactionAsync(async () =>
        {
            var (s, steps) = await store.WithStepsAsync(id, ct);
            if (s is null)
                throw new NotFoundException($"No sequence {id}.");
            var now = clock.GetUtcNow().UtcDateTime;
            var copyName = name?.Trim() ?? (s.Name.Length + 7 <= MaxName ? s.Name + " (copy)" : s.Name);
            var copy = s with { Id = Guid.CreateVersion7(), Name = copyName, Status = "draft", CreatedBy = user.FindFirst("sub")?.Value, CreatedAt = now, UpdatedAt = now };
            await store.InsertAsync(copy, ct);
            foreach (var step in steps)
                await store.InsertStepAsync(step with { Id = Guid.CreateVersion7(), SequenceId = copy.Id, CreatedAt = now, UpdatedAt = now }, ct);
            return Dto((await store.GetAsync(copy.Id, ct))!, new SequenceEnrollmentCounts(0, 0, 0, 0, 0), await store.StepsAsync(copy.Id, ct));
        }, ct);
        return TypedResults.Created($"/api/cortex/sequences/{dto.Id}", dto);
    }

    // ---- Steps -----------------------------------------------------------------------------------------------------------

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<IReadOnlyList<SequenceStepDto>>> Steps(Guid id, UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct)
    {
        var steps = await unitOfWork.InTransactionAsync(async () =>
        {
            var (s, all) = await store.WithStepsAsync(id, ct);
            return s is null ? throw new NotFoundException($"No sequence {id}.") : all;
        }, ct);
        return TypedResults.Ok<IReadOnlyList<SequenceStepDto>>(steps.Select(SequenceStepDto.From).ToList());
    }

    static async Task<Sequence> Editable(SequencesStore store, Guid id, CancellationToken ct)
    {
        var s = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No sequence {id}.");
        if (s.Status == "archived")
            throw new ConflictException("An archived sequence's steps are not changed; duplicate it instead.");
        return s;
    }

    /// <summary>Adds a step (last, or at step_order). On an active sequence it applies to enrolments that have not reached that place.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is archived.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The sequence has the most steps it can have.")]
    static async Task<Results<Created<SequenceStepDto>, ValidationProblem>> AddStep(Guid id, SequenceStepRequest request, UnitOfWork unitOfWork,
        SequencesStore store, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        if (CheckStep(request, create: true, renderer) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var step = await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await Editable(store, id, ct);
            if (s.StepsCount >= MaxSteps)
                throw new RuleRefusedException($"A sequence has {MaxSteps} steps at most.");
            if (request.StepOrder is { } o && o > s.StepsCount + 1)
                throw new RuleRefusedException($"step_order is 1 to {s.StepsCount + 1} (the sequence has {s.StepsCount} steps).",
                    new Dictionary<string, object?> { ["field"] = "step_order" });
            var now = clock.GetUtcNow().UtcDateTime;
            var created = new SequenceStep(Guid.CreateVersion7(), id, request.StepOrder ?? s.StepsCount + 1, request.StepType!, request.Name, Config(request), now, now);
            await store.InsertStepAsync(created, ct);
            await store.UpdateAsync(s with { UpdatedAt = now }, ct);
            return created;
        }, ct);
        return TypedResults.Created($"/api/cortex/sequences/{id}/steps/{step.Id}", SequenceStepDto.From(step));
    }

    static SequenceStep? Find(IReadOnlyList<SequenceStep> steps, string step) =>
        Guid.TryParse(step, out var id) ? steps.FirstOrDefault(s => s.Id == id)
        : int.TryParse(step, NumberStyles.None, CultureInfo.InvariantCulture, out var order) ? steps.FirstOrDefault(s => s.StepOrder == order)
        : null;

    /// <summary>
    /// Replaces the step's fields (<c>{step}</c>: its id or its step_order); a new step_order moves it. Enrolments that already
    /// passed it are not affected; those waiting at it send what it says when they get there.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is archived.")]
    static async Task<Results<Ok<SequenceStepDto>, ValidationProblem>> UpdateStep(Guid id, [Description("The step's id or step_order.")] string step,
        SequenceStepRequest request, UnitOfWork unitOfWork, SequencesStore store, TemplateRenderer renderer, TimeProvider clock, CancellationToken ct)
    {
        // The type is the stored one unless the request changes it: read it first to check the fields against it.
        var existing = await unitOfWork.InTransactionAsync(async () => Find(await store.StepsAsync(id, ct), step), ct)
                       ?? throw new NotFoundException($"No step {step} in sequence {id}.");
        var merged = request with { StepType = request.StepType ?? existing.StepType };
        if (CheckStep(merged, create: false, renderer) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var updated = await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await Editable(store, id, ct);
            var steps = await store.StepsAsync(id, ct);
            var before = steps.FirstOrDefault(x => x.Id == existing.Id) ?? throw new NotFoundException($"No step {step} in sequence {id}.");
            if (request.StepOrder is { } o && o > steps.Count)
                throw new RuleRefusedException($"step_order is 1 to {steps.Count}.", new Dictionary<string, object?> { ["field"] = "step_order" });
            var now = clock.GetUtcNow().UtcDateTime;
            var after = before with
            {
                StepOrder = request.StepOrder ?? before.StepOrder, StepType = merged.StepType!, Name = request.Name ?? before.Name, Config = Config(request),
                UpdatedAt = now,
            };
            await store.UpdateStepAsync(before, after, ct);
            await store.UpdateAsync(s with { UpdatedAt = now }, ct);
            return after;
        }, ct);
        return TypedResults.Ok(SequenceStepDto.From(updated));
    }

    /// <summary>Deletes the step; the steps after it move up. Enrolments waiting at it go on with the step that takes its place.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is archived.")]
    static async Task<Results<NoContent, NotFound>> DeleteStep(Guid id, [Description("The step's id or step_order.")] string step, UnitOfWork unitOfWork,
        SequencesStore store, TimeProvider clock, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await Editable(store, id, ct);
            if (Find(await store.StepsAsync(id, ct), step) is not { } found)
                return false;
            await store.DeleteStepAsync(found, ct);
            await store.UpdateAsync(s with { UpdatedAt = clock.GetUtcNow().UtcDateTime }, ct);
            return true;
        }, ct)
            ? TypedResults.NoContent()
            : TypedResults.NotFound();

    public sealed record ReorderRequest([property: Required, MaxLength(MaxSteps), Description("Every step's id, in the new order.")] IReadOnlyList<Guid>? StepIds);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is archived.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "step_ids is not every step of the sequence, each once.")]
    static async Task<Ok<IReadOnlyList<SequenceStepDto>>> Reorder(Guid id, ReorderRequest request, UnitOfWork unitOfWork, SequencesStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var steps = await unitOfWork.InTransactionAsync(async () =>
        {
            var s = await Editable(store, id, ct);
            var current = await store.StepsAsync(id, ct);
            var ids = request.StepIds ?? [];
            if (ids.Count != current.Count || ids.Distinct().Count() != ids.Count || !ids.All(i => current.Any(c => c.Id == i)))
                throw new RuleRefusedException("step_ids must name every step of the sequence, each once.",
                    new Dictionary<string, object?> { ["field"] = "step_ids", ["steps"] = current.Select(c => c.Id).ToList() });
            var now = clock.GetUtcNow().UtcDateTime;
            await store.ReorderAsync(id, ids, now, ct);
            await store.UpdateAsync(s with { UpdatedAt = now }, ct);
            return await store.StepsAsync(id, ct);
        }, ct);
        return TypedResults.Ok<IReadOnlyList<SequenceStepDto>>(steps.Select(SequenceStepDto.From).ToList());
    }

    // ---- Enrolment -------------------------------------------------------------------------------------------------------

    public sealed record EnrollRequest(
        [property: Required] Guid? SequenceId,
        [property: MaxLength(10_000), Description("The leads (contact ids) to enrol.")] IReadOnlyList<Guid>? LeadIds = null,
        [property: Description("The campaign (segment) the leads came through, recorded with each enrolment.")] Guid? CampaignId = null,
        [property: Description("Enrol again leads that completed the sequence or were stopped (default false: they are reported).")] bool? Reenroll = null);

    public sealed record AssignRequest([property: Required] Guid? SequenceId, bool? Reenroll = null);

    public sealed record EnrollResult(Guid LeadId, Guid EnrollmentId,
        [property: Description("enrolled, already_active (going through it now), already_enrolled (finished it; reenroll to start again) or not_found (no such lead).")]
        string Status);

    public sealed record EnrollResponse(Guid SequenceId, int Enrolled, int AlreadyActive, int AlreadyEnrolled, int NotFound, IReadOnlyList<EnrollResult> Results);

    /// <summary>
    /// Enrols the leads (bulk, idempotent): each starts at step 1 at once; a lead already going through the sequence is reported,
    /// not enrolled twice. The sequence must be active.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is not active.")]
    static async Task<Results<Accepted<EnrollResponse>, ValidationProblem>> Enroll(EnrollRequest request, UnitOfWork unitOfWork, SequencesStore store,
        IPublishEndpoint publish, IOptions<CortexOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (request.SequenceId is null)
            errors["sequence_id"] = ["required"];
        if (request.LeadIds is not { Count: > 0 })
            errors["lead_ids"] = ["one or more lead ids"];
        else if (request.LeadIds.Count > options.Value.MaxEnrollmentBatch)
            errors["lead_ids"] = [$"{options.Value.MaxEnrollmentBatch} at most per request"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var response = await unitOfWork.InTransactionAsync(() => EnrollAsync(unitOfWork, store, publish, request.SequenceId!.Value, request.LeadIds!,
            request.CampaignId, request.Reenroll ?? false, "api", clock.GetUtcNow(), ct), ct);
        return TypedResults.Accepted($"/api/cortex/sequences/{response.SequenceId}/enrollments", response);
    }

    /// <summary>
    /// Enrols every current member of the campaign: a segment (for an Email campaign, its audience's segment), its members as
    /// Cortex knows them from Segments' events. 404 for a segment Cortex has never heard of.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "No such sequence, or no such campaign (segment).")]
    [ProducesProblem(StatusCodes.Status409Conflict, "The sequence is not active.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The campaign has more members than one assignment takes.")]
    static async Task<Results<Accepted<EnrollResponse>, ValidationProblem>> AssignToCampaign(Guid id, AssignRequest request, UnitOfWork unitOfWork,
        SequencesStore store, IPublishEndpoint publish, IOptions<CortexOptions> options, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (request.SequenceId is null)
            errors["sequence_id"] = ["required"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var response = await unitOfWork.InTransactionAsync(async () =>
        {
            var members = (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command(
                "select contact_id from cortex.segment_members where segment_id = @id and member order by contact_id limit @limit",
                new { id, limit = options.Value.MaxEnrollmentBatch + 1 }, ct))).ToList();
            if (members.Count == 0 && !await unitOfWork.Connection.ExecuteScalarAsync<bool>(unitOfWork.Command(
                    "select exists (select 1 from cortex.segment_members where segment_id = @id)", new { id }, ct)))
                throw new NotFoundException($"Cortex knows no campaign {id}: a campaign is a segment (for an Email campaign, its audience's segment id), " +
                                            "known from Segments' membership events.");
            if (members.Count > options.Value.MaxEnrollmentBatch)
                throw new RuleRefusedException($"The campaign has more than {options.Value.MaxEnrollmentBatch} members; enrol them in batches with /leads/enroll-in-sequence.");
            return await EnrollAsync(unitOfWork, store, publish, request.SequenceId!.Value, members, id, request.Reenroll ?? false, $"campaign:{id}",
                clock.GetUtcNow(), ct);
        }, ct);
        return TypedResults.Accepted($"/api/cortex/sequences/{response.SequenceId}/enrollments", response);
    }

    static async Task<EnrollResponse> EnrollAsync(UnitOfWork unitOfWork, SequencesStore store, IPublishEndpoint publish, Guid sequenceId,
        IReadOnlyList<Guid> leads, Guid? campaignId, bool reenroll, string by, DateTimeOffset now, CancellationToken ct)
    {
        var s = await store.GetAsync(sequenceId, ct) ?? throw new NotFoundException($"No sequence {sequenceId}.");
        if (s.Status != "active")
            throw new ConflictException($"The sequence is {s.Status}; leads are enrolled in an active sequence.", new Dictionary<string, object?> { ["status"] = s.Status });
        var tenant = unitOfWork.TenantId!.Value;
        var distinct = leads.Distinct().ToArray();
        var known = (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command(
            "select id from cortex.contacts where id = any(@distinct) and not deleted", new { distinct }, ct))).ToHashSet();
        var ids = distinct.Select(l => SequenceEnrollmentState.IdFor(tenant, sequenceId, l)).ToArray();
        var states = (await unitOfWork.Connection.QueryAsync<(Guid Id, string? State)>(unitOfWork.Command(
            "select correlation_id, current_state from cortex.lead_sequence_state where correlation_id = any(@ids)", new { ids }, ct)))
            .ToDictionary(r => r.Id, r => r.State);
        var results = new List<EnrollResult>(distinct.Length);
        foreach (var lead in distinct)
        {
            var id = SequenceEnrollmentState.IdFor(tenant, sequenceId, lead);
            var status = !known.Contains(lead) ? "not_found"
                : states.TryGetValue(id, out var state) && state is not ("Completed" or "Stopped") ? "already_active"
                : state is "Completed" or "Stopped" && !reenroll ? "already_enrolled"
                : "enrolled";
            if (status == "enrolled")
                await publish.Publish(new EnrollInSequence(tenant, sequenceId, lead, by, now, campaignId, reenroll), ct);
            results.Add(new EnrollResult(lead, id, status));
        }

        return new EnrollResponse(sequenceId, results.Count(r => r.Status == "enrolled"), results.Count(r => r.Status == "already_active"),
            results.Count(r => r.Status == "already_enrolled"), results.Count(r => r.Status == "not_found"), results);
    }

    public sealed record EnrollmentDto(
        Guid EnrollmentId, Guid SequenceId, string? SequenceName, Guid LeadId, Guid? CampaignId,
        [property: Description("active, paused, completed or stopped.")] string Status,
        [property: Description("Waiting (for a step's time), Sending (an email is out), Paused, Completed or Stopped.")] string? State,
        [property: Description("The step_order of the step it is at (null when finished).")] int? CurrentStep, Guid? CurrentStepId, int StepsCompleted,
        DateTime? NextActionAt, DateTime EnrolledAt, DateTime? CompletedAt, DateTime? StoppedAt, string? StopReason, string? StoppedBy, DateTime? PausedAt,
        string? PauseReason, int EmailsSent, int EmailsOpened, int EmailsClicked, int EmailsReplied, bool Bounced, bool Unsubscribed,
        [property: Description("0–100: opens 10, clicks 20, replies 50 each.")] int EngagementScore, DateTime? LastActivityAt, string? LastError,
        int Generation);

    static EnrollmentDto Enrollment(SequenceEnrollmentState s, string? name)
    {
        var live = s.CurrentState is "Waiting" or "Sending";
        return new EnrollmentDto(s.CorrelationId, s.SequenceId, name, s.ContactId, s.CampaignId,
            s.CurrentState switch { "Paused" => "paused", "Completed" => "completed", "Stopped" => "stopped", _ => "active" }, s.CurrentState,
            s.CurrentStepId is null ? null : s.CurrentStepOrder, s.CurrentStepId, s.StepsCompleted, live ? s.NextActionAt?.UtcDateTime : null,
            s.EnrolledAt.UtcDateTime, s.CompletedAt?.UtcDateTime, s.StoppedAt?.UtcDateTime, s.StopReason, s.StoppedBy, s.PausedAt?.UtcDateTime, s.PauseReason,
            s.EmailsSent, s.EmailsOpened, s.EmailsClicked, s.EmailsReplied, s.Bounced, s.Unsubscribed,
            Math.Min(100, s.EmailsOpened * 10 + s.EmailsClicked * 20 + s.EmailsReplied * 50), s.LastActivityAt?.UtcDateTime, s.LastError, s.Generation);
    }

    static readonly JsonSerializerOptions SagaJson = new(JsonSerializerDefaults.Web);

    /// <summary>Enrolments matching <paramref name="where"/>, newest first: a page of them, or (no page) a lead's, up to 1,000.</summary>
    static async Task<Page<EnrollmentDto>> EnrollmentsWhereAsync(UnitOfWork unitOfWork, string where, DynamicParameters args, PageRequest? page,
        CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            select e.data::text as data, e.current_state as state, s.name, e.created, e.correlation_id as id from cortex.lead_sequence_state e
              left join cortex.sequences s on s.tenant_id = e.tenant_id and s.id = e.sequence_id
             where {where}
            """);
        if (page is null)
            sql.Append(" order by e.created desc, e.correlation_id desc limit 1000");
        else
            Keyset.Append(sql, args, page, "e.created", "e.correlation_id");
        var rows = (await unitOfWork.Connection.QueryAsync<EnrollmentRow>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        var dtos = rows.Select(r =>
        {
            var s = JsonSerializer.Deserialize<SequenceEnrollmentState>(r.Data, SagaJson)!;
            s.CurrentState = r.State;
            return (Row: r, Dto: Enrollment(s, r.Name));
        }).ToList();
        return page is null
            ? new Page<EnrollmentDto>(dtos.Select(d => d.Dto).ToList(), null)
            : Keyset.Page(dtos, page, d => (d.Row.Created, d.Row.Id)).Select(d => d.Dto);
    }

    sealed record EnrollmentRow(string Data, string? State, string? Name, DateTime Created, Guid Id);

    /// <summary>The lead's enrolments (every sequence it is or was in), with its progress and engagement in each.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "No such lead.")]
    static async Task<Ok<IReadOnlyList<EnrollmentDto>>> LeadState(Guid id, UnitOfWork unitOfWork, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<EnrollmentDto>>(await unitOfWork.InTransactionAsync(async () =>
        {
            var enrollments = (await EnrollmentsWhereAsync(unitOfWork, "e.contact_id = @id", new DynamicParameters(new { id }), null, ct)).Items;
            return enrollments.Count > 0 || await LeadExistsAsync(unitOfWork, id, ct) ? enrollments : throw new NotFoundException($"No lead {id}.");
        }, ct));

    /// <summary>Whether Cortex knows the lead (its copy of the contacts), or the lead has been in a sequence.</summary>
    static async Task<bool> LeadExistsAsync(UnitOfWork unitOfWork, Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteScalarAsync<bool>(unitOfWork.Command(
            "select exists (select 1 from cortex.contacts where id = @id) or exists (select 1 from cortex.sequence_execution_log where contact_id = @id)",
            new { id }, ct));

    static async Task SequenceExistsAsync(SequencesStore store, Guid id, CancellationToken ct)
    {
        if (await store.GetAsync(id, ct) is null)
            throw new NotFoundException($"No sequence {id}.");
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<Page<EnrollmentDto>>, ValidationProblem>> Enrollments(Guid id,
        [Description("active, paused, completed or stopped.")] string? status, [AsParameters] PageRequest page, UnitOfWork unitOfWork, SequencesStore store,
        CancellationToken ct)
    {
        string[]? states = status switch
        {
            null => null, "active" => ["Waiting", "Sending"], "paused" => ["Paused"], "completed" => ["Completed"], "stopped" => ["Stopped"], _ => [],
        };
        if (states is { Length: 0 })
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["status"] = ["active, paused, completed or stopped"] });
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await SequenceExistsAsync(store, id, ct);
            return await EnrollmentsWhereAsync(unitOfWork, "e.sequence_id = @id and (@states::text[] is null or e.current_state = any(@states))",
                new DynamicParameters(new { id, states }), page, ct);
        }, ct));
    }

    public sealed record LeadSequenceRequest(
        [property: Description("The sequence; every one the lead is in when absent.")] Guid? SequenceId = null,
        [property: MaxLength(200)] string? Reason = null);

    public sealed record LeadSequenceResponse(Guid LeadId,
        [property: Description("The enrolments the request went to (the change applies within moments: GET sequence-state).")] IReadOnlyList<Guid> Enrollments,
        [property: Description("pausing, resuming or stopping.")] string Status);

    /// <summary>Pauses the lead's enrolment: nothing is sent until it is resumed; a reply or bounce still stops it.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The lead has no live enrolment (in that sequence).")]
    static Task<Accepted<LeadSequenceResponse>> PauseLead(Guid id, LeadSequenceRequest? request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        IPublishEndpoint publish, TimeProvider clock, CancellationToken ct) =>
        Control(id, request, ["Waiting", "Sending"], "pausing", (tenant, sequence, now) =>
            new PauseSequence(tenant, sequence, id, request?.Reason, $"user:{user.FindFirst("sub")?.Value ?? "api"}", now), unitOfWork, publish, clock, ct);

    /// <summary>Resumes where it was; a due time that passed while paused runs now (inside the sequence's windows).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The lead has no paused enrolment (in that sequence).")]
    static Task<Accepted<LeadSequenceResponse>> ResumeLead(Guid id, LeadSequenceRequest? request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        IPublishEndpoint publish, TimeProvider clock, CancellationToken ct) =>
        Control(id, request, ["Paused"], "resuming", (tenant, sequence, now) =>
            new ResumeSequence(tenant, sequence, id, $"user:{user.FindFirst("sub")?.Value ?? "api"}", now), unitOfWork, publish, clock, ct);

    /// <summary>Stops the lead's enrolment with the reason (manual by default).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The lead has no live enrolment (in that sequence).")]
    static Task<Accepted<LeadSequenceResponse>> StopLead(Guid id, LeadSequenceRequest? request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        IPublishEndpoint publish, TimeProvider clock, CancellationToken ct) =>
        Control(id, request, ["Waiting", "Sending", "Paused"], "stopping", (tenant, sequence, now) =>
            new StopSequence(tenant, Guid.NewGuid(), sequence, id, request?.Reason ?? "manual", $"user:{user.FindFirst("sub")?.Value ?? "api"}", now),
            unitOfWork, publish, clock, ct);

    static async Task<Accepted<LeadSequenceResponse>> Control(Guid lead, LeadSequenceRequest? request, string[] states, string status,
        Func<Guid, Guid, DateTimeOffset, object> command, UnitOfWork unitOfWork, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var enrollments = await unitOfWork.InTransactionAsync(async () =>
        {
            var sequenceId = request?.SequenceId;
            var rows = (await unitOfWork.Connection.QueryAsync<(Guid Id, Guid SequenceId)>(unitOfWork.Command("""
                select correlation_id, sequence_id from cortex.lead_sequence_state
                 where contact_id = @lead and current_state = any(@states) and (@sequenceId::uuid is null or sequence_id = @sequenceId)
                """, new { lead, states, sequenceId }, ct))).ToList();
            if (rows.Count == 0)
                throw new NotFoundException(sequenceId is null
                    ? $"Lead {lead} has no enrolment that is {string.Join(" or ", states.Select(s => s.ToLowerInvariant()))}."
                    : $"Lead {lead} has no enrolment in sequence {sequenceId} that is {string.Join(" or ", states.Select(s => s.ToLowerInvariant()))}.");
            var now = clock.GetUtcNow();
            foreach (var row in rows)
            {
                var message = command(unitOfWork.TenantId!.Value, row.SequenceId, now);
                await publish.Publish(message, message.GetType(), ct);
            }

            return rows.Select(r => r.Id).ToList();
        }, ct);
        return TypedResults.Accepted($"/api/cortex/leads/{lead}/sequence-state", new LeadSequenceResponse(lead, enrollments, status));
    }

    // ---- Queue, log, analytics -------------------------------------------------------------------------------------------

    public sealed record SequenceQueueReport(
        [property: Description("Enrolments whose step is due now (the scheduler fires them; none waits for this route).")] int Due,
        [property: Description("Enrolments waiting for a step's time.")] int Waiting,
        [property: Description("Enrolments whose email is out, waiting for Email's outcome.")] int Sending,
        int Paused,
        [property: Description("Always 0: steps fire on time by themselves; this route is kept for the seed's cron.")] int Processed,
        DateTime? NextDueAt);

    /// <summary>The seed's cron route, kept for compatibility: reports what is due and waiting; it fires nothing.</summary>
    static async Task<Ok<SequenceQueueReport>> ProcessQueue(UnitOfWork unitOfWork, TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var row = await unitOfWork.InTransactionAsync(() => unitOfWork.Connection.QuerySingleAsync<(int Due, int Waiting, int Sending, int Paused, DateTime? Next)>(
            unitOfWork.Command("""
                select count(*) filter (where current_state = 'Waiting' and (data ->> 'nextActionAt')::timestamptz <= @now)::int,
                       count(*) filter (where current_state = 'Waiting')::int,
                       count(*) filter (where current_state = 'Sending')::int,
                       count(*) filter (where current_state = 'Paused')::int,
                       min((data ->> 'nextActionAt')::timestamptz) filter (where current_state = 'Waiting')
                  from cortex.lead_sequence_state
                """, new { now }, ct)), ct);
        return TypedResults.Ok(new SequenceQueueReport(row.Due, row.Waiting, row.Sending, row.Paused, 0, row.Next));
    }

    public sealed record SequenceLogDto(Guid Id, Guid EnrollmentId, Guid SequenceId, Guid LeadId, Guid? StepId, int? StepOrder, string? StepType,
        [property: Description("enroll, wait, delay, send_email, send_window, condition, an action type, complete, stop, pause, resume.")] string Action,
        [property: Description("success, failed, skipped or waiting.")] string Outcome, JsonElement? Detail, string? Error, DateTime CreatedAt)
    {
        public static SequenceLogDto From(SequenceLogEntry e) => new(e.Id, e.EnrollmentId, e.SequenceId, e.ContactId, e.StepId, e.StepOrder, e.StepType, e.Action,
            e.Outcome, e.Detail, e.Error, e.CreatedAt);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Page<SequenceLogDto>>> SequenceLog(Guid id, [Description("One lead's entries only.")] Guid? leadId, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct) =>
        TypedResults.Ok((await unitOfWork.InTransactionAsync(async () =>
        {
            await SequenceExistsAsync(store, id, ct);
            return await store.LogAsync(id, leadId, null, page, ct);
        }, ct)).Select(SequenceLogDto.From));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Page<SequenceLogDto>>> LeadLog(Guid id, [Description("One sequence's entries only.")] Guid? sequenceId, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct) =>
        TypedResults.Ok((await unitOfWork.InTransactionAsync(async () =>
            await LeadExistsAsync(unitOfWork, id, ct) ? await store.LogAsync(sequenceId, id, null, page, ct) : throw new NotFoundException($"No lead {id}."), ct))
            .Select(SequenceLogDto.From));

    public sealed record SequenceEmailCounts(int Sent, int Opened, int Clicked, int Replied, int Bounced, double OpenRate, double ClickRate, double ReplyRate);

    public sealed record SequenceVariantStats(string Variant, SequenceEmailCounts Emails,
        [property: Description("Posterior mean of the variant's rate on the winning metric.")] double Rate,
        [property: Description("The chance that this variant is the best on that metric (Beta posteriors).")] double ProbabilityBest);

    public sealed record SequenceStepStats(Guid StepId, int StepOrder, string StepType, string? Name,
        [property: Description("Enrolments that completed the step.")] int Completed,
        [property: Description("Enrolments at the step now.")] int Current, int Failed, SequenceEmailCounts? Emails,
        [property: Description("Email steps with variants: each one's numbers.")] IReadOnlyList<SequenceVariantStats>? Variants,
        [property: Description("The leading variant (by reply rate, by open rate while there are no replies).")] string? WinningVariant,
        [property: Description("replies or opens.")] string? WinningMetric, double? WinnerProbability);

    public sealed record SequenceAnalytics(Guid SequenceId, string Name, int TotalEnrolled, int Active, int Paused, int Completed, int Stopped,
        [property: Description("Stopped enrolments by reason (replied, bounced, unsubscribed, manual, …).")] IReadOnlyDictionary<string, int> StoppedByReason,
        SequenceEmailCounts Emails, double CompletionRate, IReadOnlyList<SequenceStepStats> Steps);

    /// <summary>The sequence's numbers: enrolments by status and stop reason, emails and rates, per step and per A/B variant (with the winner).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<SequenceAnalytics>> Analytics(Guid id, UnitOfWork unitOfWork, SequencesStore store, CancellationToken ct)
    {
        var result = await unitOfWork.InTransactionAsync(async () =>
        {
            var (s, steps) = await store.WithStepsAsync(id, ct);
            if (s is null)
                throw new NotFoundException($"No sequence {id}.");
            using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command("""
                select current_state, count(*)::int from cortex.lead_sequence_state where sequence_id = @id group by current_state;
                select coalesce(data ->> 'stopReason', 'unknown'), count(*)::int from cortex.lead_sequence_state
                 where sequence_id = @id and current_state = 'Stopped' group by 1;
                select step_id, variant, count(*)::int, count(opened_at)::int, count(clicked_at)::int, count(replied_at)::int, count(bounced_at)::int
                  from cortex.sequence_messages where sequence_id = @id group by step_id, variant;
                select step_id, count(*) filter (where outcome = 'success')::int, count(*) filter (where outcome = 'failed')::int
                  from cortex.sequence_execution_log where sequence_id = @id and step_id is not null and action not in ('wait', 'send_window')
                 group by step_id;
                select (data ->> 'currentStepId')::uuid, count(*)::int from cortex.lead_sequence_state
                 where sequence_id = @id and current_state in ('Waiting', 'Sending', 'Paused') and data ->> 'currentStepId' is not null group by 1;
                """, new { id }, ct));
            var byState = (await grid.ReadAsync<(string? State, int Count)>()).ToList();
            var reasons = (await grid.ReadAsync<(string Reason, int Count)>()).ToDictionary(r => r.Reason, r => r.Count);
            var messages = (await grid.ReadAsync<(Guid StepId, string Variant, int Sent, int Opened, int Clicked, int Replied, int Bounced)>()).ToList();
            var logged = (await grid.ReadAsync<(Guid StepId, int Success, int Failed)>()).ToDictionary(r => r.StepId);
            var current = (await grid.ReadAsync<(Guid StepId, int Count)>()).ToDictionary(r => r.StepId, r => r.Count);
            int N(params string[] states) => byState.Where(r => states.Contains(r.State)).Sum(r => r.Count);
            var total = byState.Sum(r => r.Count);
            var stepStats = steps.Select(step =>
            {
                var mine = messages.Where(m => m.StepId == step.Id).ToList();
                var (done, failed) = logged.TryGetValue(step.Id, out var l) ? (l.Success, l.Failed) : (0, 0);
                // An email step is completed when its email went out.
                if (step.StepType != "email")
                    return new SequenceStepStats(step.Id, step.StepOrder, step.StepType, step.Name, done, current.GetValueOrDefault(step.Id), failed, null, null, null, null,
                        null);
                var emails = Counts(mine.Sum(m => m.Sent), mine.Sum(m => m.Opened), mine.Sum(m => m.Clicked), mine.Sum(m => m.Replied), mine.Sum(m => m.Bounced));
                var defined = step.Fields.AllVariants.Select(v => v.Name).ToList();
                List<SequenceVariantStats>? variants = null;
                string? winner = null, metric = null;
                double? probability = null;
                if (defined.Count > 1)
                {
                    metric = mine.Sum(m => m.Replied) > 0 ? "replies" : "opens";
                    var arms = defined.Select(v => mine.FirstOrDefault(m => m.Variant == v) is { Sent: > 0 } m
                        ? new GrowthOps.Modelling.Arm(v, m.Sent, metric == "replies" ? m.Replied : m.Opened)
                        : new GrowthOps.Modelling.Arm(v, 0, 0)).ToList();
                    var posterior = GrowthOps.Modelling.BetaBandit.Describe(arms);
                    variants = defined.Select(v =>
                    {
                        var m = mine.FirstOrDefault(x => x.Variant == v);
                        var p = posterior.First(x => x.Id == v);
                        return new SequenceVariantStats(v, Counts(m.Sent, m.Opened, m.Clicked, m.Replied, m.Bounced), Math.Round(p.Mean, 4), Math.Round(p.ProbabilityBest, 4));
                    }).ToList();
                    var best = posterior.MaxBy(p => p.ProbabilityBest)!;
                    (winner, probability) = (best.Id, Math.Round(best.ProbabilityBest, 4));
                }

                return new SequenceStepStats(step.Id, step.StepOrder, step.StepType, step.Name, emails.Sent, current.GetValueOrDefault(step.Id), failed, emails, variants,
                    winner, metric, probability);
            }).ToList();
            var all = Counts(messages.Sum(m => m.Sent), messages.Sum(m => m.Opened), messages.Sum(m => m.Clicked), messages.Sum(m => m.Replied),
                messages.Sum(m => m.Bounced));
            return new SequenceAnalytics(id, s.Name, total, N("Waiting", "Sending"), N("Paused"), N("Completed"), N("Stopped"), reasons, all,
                total == 0 ? 0 : Math.Round((double)N("Completed") / total, 4), stepStats);
        }, ct);
        return TypedResults.Ok(result);
    }

    static SequenceEmailCounts Counts(int sent, int opened, int clicked, int replied, int bounced) =>
        new(sent, opened, clicked, replied, bounced, Rate(opened, sent), Rate(clicked, sent), Rate(replied, sent));

    static double Rate(int part, int whole) => whole == 0 ? 0 : Math.Round((double)part / whole, 4);
}
