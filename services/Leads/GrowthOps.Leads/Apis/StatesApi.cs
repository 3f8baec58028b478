using System.ComponentModel.DataAnnotations;
using System.Text.RegularExpressions;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>The lead state machine (D19): states, allowed transitions, executing transitions and their history.</summary>
public static partial class StatesApi
{
    public static IHostApplicationBuilder AddStates(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<LeadConfigCache>();
        builder.Services.AddScoped<StatesStore>();
        builder.Services.AddScoped<HistoryStore>();
        builder.Services.AddScoped<LeadStateEngine>();
        return builder;
    }

    public static RouteGroupBuilder MapStatesApi(this RouteGroupBuilder api)
    {
        var states = api.MapGroup("/states").WithTags("States");
        states.MapGet("/", ListStates);
        states.MapPost("/", CreateState).WithIdempotency();
        states.MapPatch("/{id:guid}", UpdateState);
        states.MapDelete("/{id:guid}", DeleteState);

        var transitions = api.MapGroup("/transitions").WithTags("Transitions");
        transitions.MapGet("/", ListTransitions);
        transitions.MapPost("/", CreateTransition).WithIdempotency();
        transitions.MapDelete("/{id:guid}", DeleteTransition);
        transitions.MapPost("/bulk", BulkTransition).WithIdempotency();

        api.MapPost("/contacts/{id:guid}/transitions", ExecuteTransition).WithTags("Transitions").WithIdempotency();
        api.MapGet("/contacts/{id:guid}/history", History).WithTags("Transitions");
        return api;
    }

    [GeneratedRegex("^[a-z][a-z0-9_]{0,49}$")]
    private static partial Regex StateName();

    // Members with a default are optional on the wire, the others required (the OpenAPI document says so). The attributes are
    // the fields' limits (RequestLimits checks them; the document shows them).
    public sealed record StateRequest(
        [property: MaxLength(MaxStateName)] string? Name = null,
        [property: MaxLength(MaxColor)] string? Color = null,
        [property: Range(0, MaxPosition)] int? Position = null,
        [property: MaxLength(MaxDescription)] string? Description = null,
        bool? IsTerminal = null);

    public sealed record TransitionRequest(
        [property: MaxLength(MaxStateReference)] string? ToState,
        [property: MaxLength(MaxStateReference)] string? FromState = null,
        [property: MaxLength(MaxTransitionName)] string? Name = null,
        bool? RequiresNotes = null);

    public sealed record ExecuteRequest(
        [property: MaxLength(MaxStateReference)] string? ToState = null,
        Guid? TransitionId = null,
        [property: MaxLength(MaxNotes)] string? Notes = null,
        [property: MaxLength(MaxTriggeredBy)] string? TriggeredBy = null,
        [property: MaxLength(MaxKeyword)] string? Source = null);

    public sealed record BulkRequest(
        [property: MaxLength(MaxBulkTransition)] List<Guid>? ContactIds,
        [property: MaxLength(MaxStateReference)] string? ToState = null,
        Guid? TransitionId = null,
        [property: MaxLength(MaxNotes)] string? Notes = null,
        [property: MaxLength(MaxTriggeredBy)] string? TriggeredBy = null,
        [property: MaxLength(MaxKeyword)] string? Source = null);

    public sealed record BulkItem(Guid ContactId, string Status, int StatusCode, HistoryEntry? Entry, string? Error);

    public sealed record BulkResult(int Succeeded, int Failed, IReadOnlyList<BulkItem> Results);

    public static async Task<Ok<IReadOnlyList<LeadState>>> ListStates(LeadsTransaction tx, StatesStore store, CancellationToken ct) =>
        TypedResults.Ok(await tx.RunAsync(() => store.ListAsync(ct), ct));

    static Dictionary<string, string[]> ValidateState(StateRequest r, bool create)
    {
        var errors = RequestLimits.Errors(r);
        if ((create || r.Name is not null) && (r.Name is null || !StateName().IsMatch(r.Name)))
            errors["name"] = ["lower-case letters, digits and _ ; starting with a letter; up to 50"];
        return errors;
    }

    [ProducesProblem(StatusCodes.Status409Conflict, "A state with the name exists.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The tenant has the most lead states it may have (limit says how many).")]
    public static async Task<Results<Created<LeadState>, ValidationProblem>> CreateState(StateRequest request, LeadsTransaction tx, StatesStore store,
        CancellationToken ct)
    {
        if (ValidateState(request, create: true) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var state = await tx.RunAsync(async () =>
        {
            await tx.EnsureRoomAsync(() => store.CountAsync(ct), MaxStates, "lead states", ct);
            var states = await store.ListAsync(ct);
            var now = DateTime.UtcNow;
            var created = new LeadState(Guid.CreateVersion7(), request.Name!, request.Color ?? "gray",
                request.Position ?? (states.Count == 0 ? 1 : states.Max(s => s.Position) + 1), request.Description, request.IsTerminal ?? false, false,
                now, now);
            if (!await store.TryCreateAsync(created, ct))
                throw new ConflictException($"A state named '{request.Name}' already exists.");
            return created;
        }, ct);
        return TypedResults.Created($"/api/leads/states/{state.Id}", state);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "A state with the name exists.")]
    public static async Task<Results<Ok<LeadState>, ValidationProblem>> UpdateState(Guid id, StateRequest request, LeadsTransaction tx,
        StatesStore store, CancellationToken ct)
    {
        if (ValidateState(request, create: false) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await tx.RunAsync(async () =>
        {
            var state = await store.GetAsync(id, ct) ?? throw new NotFoundException($"State {id} does not exist.");
            if (request.Name is { } name && name != state.Name && await store.FindAsync(name, ct) is not null)
                throw new ConflictException($"A state named '{name}' already exists.");
            var updated = state with
            {
                Name = request.Name ?? state.Name, Color = request.Color ?? state.Color, Position = request.Position ?? state.Position,
                Description = request.Description ?? state.Description, IsTerminal = request.IsTerminal ?? state.IsTerminal, Updated = DateTime.UtcNow,
            };
            await store.UpdateAsync(updated, ct);
            return updated;
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Contacts are in the state (contacts_in_state says how many).")]
    public static async Task<NoContent> DeleteState(Guid id, LeadsTransaction tx, StatesStore store, CancellationToken ct)
    {
        await tx.RunAsync(async () =>
        {
            _ = await store.GetAsync(id, ct) ?? throw new NotFoundException($"State {id} does not exist.");
            var inUse = await store.ContactsInStateAsync(id, ct);
            if (inUse > 0)
                throw new ConflictException($"{inUse} contact(s) are in this state; move them before deleting it.",
                    new Dictionary<string, object?> { ["contacts_in_state"] = inUse });
            await store.DeleteAsync(id, ct);
        }, ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<IReadOnlyList<LeadTransition>>> ListTransitions(LeadsTransaction tx, StatesStore store, CancellationToken ct) =>
        TypedResults.Ok(await tx.RunAsync(() => store.ListTransitionsAsync(ct), ct));

    [ProducesProblem(StatusCodes.Status409Conflict, "The transition exists.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A state does not exist, or the transition leads nowhere.")]
    public static async Task<Results<Created<LeadTransition>, ValidationProblem>> CreateTransition(TransitionRequest request, LeadsTransaction tx,
        StatesStore store, CancellationToken ct)
    {
        if (RequestLimits.Errors(request) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (string.IsNullOrWhiteSpace(request.ToState))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["to_state"] = ["is required"] });
        var transition = await tx.RunAsync(async () =>
        {
            var to = await store.FindAsync(request.ToState, ct) ?? throw new RuleRefusedException($"There is no state '{request.ToState}'.");
            LeadState? from = null;
            if (!string.IsNullOrWhiteSpace(request.FromState) && request.FromState != "any")
                from = await store.FindAsync(request.FromState, ct) ?? throw new RuleRefusedException($"There is no state '{request.FromState}'.");
            if (from?.Id == to.Id)
                throw new RuleRefusedException("A transition must lead to another state.");
            var id = Guid.CreateVersion7();
            if (!await store.TryCreateTransitionAsync(id, from?.Id, to.Id, request.Name ?? $"{from?.Name ?? "any"} → {to.Name}", request.RequiresNotes ?? false, ct))
                throw new ConflictException($"The transition {from?.Name ?? "any"} → {to.Name} already exists.");
            return (await store.GetTransitionAsync(id, ct))!;
        }, ct);
        return TypedResults.Created($"/api/leads/transitions/{transition.Id}", transition);
    }

    static async Task<Results<NoContent, NotFound>> DeleteTransition(Guid id, LeadsTransaction tx, StatesStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteTransitionAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    static string? Source(string? source) => source is null ? TransitionSources.User : TransitionSources.All.Contains(source) ? source : null;

    [ProducesProblem(StatusCodes.Status404NotFound, "The contact, or transition_id, does not exist.")]
    [ProducesProblem(StatusCodes.Status409Conflict, "The move is not allowed (current_state, and allowed_targets: the states the lead can move to), or the lead is already in the state.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "to_state names no state, neither to_state nor transition_id is given, or the transition requires notes.")]
    public static async Task<Results<Created<HistoryEntry>, ValidationProblem>> ExecuteTransition(Guid id, ExecuteRequest request, LeadsTransaction tx,
        LeadStateEngine engine, CurrentTenant tenant, CancellationToken ct)
    {
        if (RequestLimits.Errors(request) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (Source(request.Source) is not { } source)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["source"] = [$"must be one of {string.Join(", ", TransitionSources.All)}"] });
        var entry = await tx.RunAsync(() => engine.TransitionAsync(
            new LeadStateEngine.Request(id, request.ToState, request.TransitionId, request.Notes, request.TriggeredBy, source), ct), ct);
        return TypedResults.Created($"/api/leads/contacts/{id}/history", entry);
    }

    /// <summary>Each contact in its own transaction, so one refusal does not undo the others; the result says what happened to each.</summary>
    static async Task<Results<Ok<BulkResult>, ValidationProblem>> BulkTransition(BulkRequest request, IServiceScopeFactory scopes, CurrentTenant tenant,
        CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (request.ContactIds is not { Count: > 0 and <= LeadsDefaults.MaxBulkTransition })
            errors["contact_ids"] = [$"must hold between 1 and {LeadsDefaults.MaxBulkTransition} ids"];
        if (request.ToState is null && request.TransitionId is null)
            errors["to_state"] = ["give to_state or transition_id"];
        if (Source(request.Source) is not { } source)
        {
            errors["source"] = [$"must be one of {string.Join(", ", TransitionSources.All)}"];
            source = "";
        }

        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var results = new List<BulkItem>();
        foreach (var contactId in request.ContactIds!.Distinct())
        {
            await using var scope = scopes.CreateAsyncScope();
            scope.ServiceProvider.GetRequiredService<CurrentTenant>().Set(tenant.Required);
            try
            {
                var entry = await scope.ServiceProvider.GetRequiredService<LeadsTransaction>().RunAsync(() =>
                    scope.ServiceProvider.GetRequiredService<LeadStateEngine>().TransitionAsync(
                        new LeadStateEngine.Request(contactId, request.ToState, request.TransitionId, request.Notes, request.TriggeredBy, source), ct), ct);
                results.Add(new BulkItem(contactId, "transitioned", StatusCodes.Status201Created, entry, null));
            }
            catch (DomainException refusal)
            {
                results.Add(new BulkItem(contactId, "failed", ProblemDetailsExceptionHandler.StatusCodeOf(refusal), null, refusal.Message));
            }
        }

        return TypedResults.Ok(new BulkResult(results.Count(r => r.Entry is not null), results.Count(r => r.Entry is null), results));
    }

    public static async Task<Results<Ok<IReadOnlyList<HistoryEntry>>, NotFound>> History(Guid id, LeadsTransaction tx, ContactsStore contacts,
        HistoryStore history, CancellationToken ct)
    {
        var entries = await tx.RunAsync(async () => await contacts.GetAsync(id, ct) is null ? null : await history.ListAsync(id, ct), ct);
        return entries is null ? TypedResults.NotFound() : TypedResults.Ok(entries);
    }
}
