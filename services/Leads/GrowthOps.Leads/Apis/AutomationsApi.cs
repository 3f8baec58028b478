using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Consumers;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Integrations;
using GrowthOps.Leads.Integrations.Webhooks;
using GrowthOps.Messaging.Inbox;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Outbound;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Secrets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace GrowthOps.Leads.Apis;

/// <summary>Lead state automations (D19): rules that run actions when a lead enters or leaves a state, and what they did.</summary>
public static class AutomationsApi
{
    /// <summary>The store, the runner behind <c>LeadStateChangedConsumer</c> and the webhook client.</summary>
    public static IHostApplicationBuilder AddAutomations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AutomationOptions>().BindConfiguration(AutomationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AutomationsStore>();
        builder.Services.AddScoped<AutomationRunner>();
        builder.Services.AddSingleton<IInboxPrecheck<LeadStateChangedConsumer, LeadStateChanged>, AutomationsPrecheck>();
        builder.Services.AddSingleton<AutomationWebhooks>();

        // The guarded client for tenant-supplied URLs (no private, loopback or metadata addresses, capped response and time).
        // Not the standard handler every client gets: its 30 s budget and 2 s backoff are too long for a call made inside the
        // message's transaction. RemoveAllResilienceHandlers is the supported way to drop a handler added by
        // ConfigureHttpClientDefaults, but still marked experimental. Webhooks are delivered at least once; the body's
        // history_id lets receivers deduplicate.
#pragma warning disable EXTEXP0001
        builder.Services.AddOutboundHttpClient(AutomationWebhooks.ClientName)
            .ConfigureHttpClient(client => client.DefaultRequestHeaders.UserAgent.ParseAdd("GrowthOps-Webhooks/1.0"))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddResilienceHandler(AutomationWebhooks.ClientName, (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<AutomationOptions>>().Value;
                pipeline.AddTimeout(o.WebhookTimeout);
                if (o.WebhookRetries > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.WebhookRetries,
                        Delay = o.WebhookRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                pipeline.AddTimeout(o.WebhookAttemptTimeout);
            });
        return builder;
    }

    public static RouteGroupBuilder MapAutomationsApi(this RouteGroupBuilder api)
    {
        var automations = api.MapGroup("/automations").WithTags("Automations");
        automations.MapGet("/", ListAutomations);
        automations.MapPost("/", CreateAutomation).WithIdempotency();
        automations.MapGet("/{id:guid}", GetAutomation);
        automations.MapPatch("/{id:guid}", UpdateAutomation);
        automations.MapDelete("/{id:guid}", DeleteAutomation);
        automations.MapGet("/{id:guid}/executions", AutomationExecutions);

        api.MapGet("/contacts/{id:guid}/automation-executions", ContactExecutions).WithTags("Automations");
        return api;
    }

    /// <summary>An automation as clients see it: actions without their (encrypted) webhook secrets.</summary>
    public sealed record AutomationDto(
        Guid Id, string Name, string Trigger, Guid? StateId, string? State, Guid? FromStateId, string? FromState, Guid? ToStateId, string? ToState,
        IReadOnlyList<AutomationCondition> Conditions, IReadOnlyList<JsonElement> Actions, bool IsActive, long ExecutionCount,
        DateTime? LastExecutedAt, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public static AutomationDto From(Automation a) => new(a.Id, a.Name, a.Trigger, a.StateId, a.State, a.FromStateId, a.FromState, a.ToStateId,
            a.ToState, a.Conditions, a.Actions.Select(Shown).ToList(), a.IsActive, a.ExecutionCount, a.LastExecutedAt, a.Created, a.Updated);

        static JsonElement Shown(AutomationAction action) =>
            JsonSerializer.SerializeToElement(action with { ProtectedSecret = null }, AutomationsStore.Json);
    }

    public sealed record ExecutionDto(
        Guid Id, Guid AutomationId, string AutomationName, Guid ContactId, Guid HistoryId, string Status, JsonElement Results, string? Error,
        DateTime ExecutedAt)
    {
        public static ExecutionDto From(AutomationExecution e) => new(e.Id, e.AutomationId, e.AutomationName, e.ContactId, e.HistoryId, e.Status,
            JsonDocument.Parse(e.ResultsJson).RootElement, e.Error, e.ExecutedAt);
    }

    public static async Task<Results<Ok<IReadOnlyList<AutomationDto>>, ValidationProblem>> ListAutomations(LeadsTransaction tx, AutomationsStore store,
        string? trigger, [FromQuery(Name = "is_active")] bool? isActive, CancellationToken ct)
    {
        if (trigger is not null && !AutomationDraft.Triggers.Contains(trigger))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["trigger"] = [$"must be one of {string.Join(", ", AutomationDraft.Triggers)}"],
            });
        var automations = await tx.RunAsync(() => store.ListAsync(trigger, isActive, ct), ct);
        return TypedResults.Ok<IReadOnlyList<AutomationDto>>(automations.Select(AutomationDto.From).ToList());
    }

    [Consumes(typeof(AutomationRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity,
        "A state does not exist (field names the member), from_state and to_state are the same, or the tenant has the most automations it may have (limit says how many).")]
    public static async Task<Results<Created<AutomationDto>, ValidationProblem>> CreateAutomation(JsonElement body, LeadsTransaction tx,
        AutomationsStore store, StatesStore states, TenantSecretBox secrets, CurrentTenant tenant, OutboundPolicy outbound, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (AutomationDraft.Parse(body, null, errors, outbound) is not { } draft)
            return TypedResults.ValidationProblem(errors);
        var created = await tx.RunAsync(async () =>
        {
            await tx.EnsureRoomAsync(() => store.CountAsync(ct), LeadsDefaults.MaxAutomations, "automations", ct);
            var automation = await ResolveAsync(draft, Guid.CreateVersion7(), null, states, secrets, tenant.Required, ct);
            await store.InsertAsync(automation, ct);
            return (await store.GetAsync(automation.Id, ct))!;
        }, ct);
        return TypedResults.Created($"/api/leads/automations/{created.Id}", AutomationDto.From(created));
    }

    public static async Task<Results<Ok<AutomationDto>, NotFound>> GetAutomation(Guid id, LeadsTransaction tx, AutomationsStore store,
        CancellationToken ct) =>
        await tx.RunAsync(() => store.GetAsync(id, ct), ct) is { } automation ? TypedResults.Ok(AutomationDto.From(automation)) : TypedResults.NotFound();

    /// <summary>Members absent from the body keep their values; <c>actions</c> and <c>conditions</c>, when given, replace the lists.</summary>
    [Consumes(typeof(AutomationRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A state does not exist (field names the member), or from_state and to_state are the same.")]
    public static async Task<Results<Ok<AutomationDto>, ValidationProblem>> UpdateAutomation(Guid id, JsonElement body, LeadsTransaction tx,
        AutomationsStore store, StatesStore states, TenantSecretBox secrets, CurrentTenant tenant, OutboundPolicy outbound, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var updated = await tx.RunAsync(async () =>
        {
            var current = await store.GetAsync(id, ct) ?? throw new NotFoundException($"Automation {id} does not exist.");
            if (AutomationDraft.Parse(body, current, errors, outbound) is not { } draft)
                return null;
            await store.UpdateAsync(await ResolveAsync(draft, id, current, states, secrets, tenant.Required, ct), ct);
            return await store.GetAsync(id, ct);
        }, ct);
        return updated is null ? TypedResults.ValidationProblem(errors) : TypedResults.Ok(AutomationDto.From(updated));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteAutomation(Guid id, LeadsTransaction tx, AutomationsStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    public static async Task<Results<Ok<Page<ExecutionDto>>, NotFound>> AutomationExecutions(Guid id, [AsParameters] PageRequest page,
        LeadsTransaction tx, AutomationsStore store, CancellationToken ct)
    {
        var found = await tx.RunAsync(async () => await store.GetAsync(id, ct) is null ? null : await store.ListExecutionsAsync(id, null, page, ct), ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found.Select(ExecutionDto.From));
    }

    public static async Task<Results<Ok<Page<ExecutionDto>>, NotFound>> ContactExecutions(Guid id, [AsParameters] PageRequest page,
        LeadsTransaction tx, ContactsStore contacts, AutomationsStore store, CancellationToken ct)
    {
        var found = await tx.RunAsync(async () => await contacts.GetAsync(id, ct) is null ? null : await store.ListExecutionsAsync(null, id, page, ct), ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found.Select(ExecutionDto.From));
    }

    /// <summary>Resolves state names to ids (an unknown one is a 422) and encrypts new webhook secrets.</summary>
    static async Task<Automation> ResolveAsync(AutomationDraft draft, Guid id, Automation? current, StatesStore states, TenantSecretBox secrets,
        Guid tenantId, CancellationToken ct)
    {
        async Task<LeadState> Find(string reference, string member) =>
            await states.FindAsync(reference, ct) ?? throw new RuleRefusedException($"There is no lead state '{reference}'.",
                new Dictionary<string, object?> { ["field"] = member });

        async Task<Guid?> Resolve(AutomationStateRef state, string member) =>
            state.Id ?? (state.Reference is { } reference ? (await Find(reference, member)).Id : null);

        var stateId = await Resolve(draft.State, "state");
        var fromStateId = await Resolve(draft.FromState, "from_state");
        var toStateId = await Resolve(draft.ToState, "to_state");
        if (fromStateId is not null && fromStateId == toStateId)
            throw new RuleRefusedException("from_state and to_state are the same state: a transition leads to another state.");

        var actions = new List<AutomationAction>();
        foreach (var (parsed, index) in draft.Actions.Select((a, i) => (a, i)))
        {
            var action = parsed.Action;
            // Actions kept from the stored automation are already resolved (and a state renamed since must not fail the PATCH).
            if (draft.ActionsGiven && action.Type == AutomationActions.ChangeState)
            {
                var target = await Find(action.ToState!, $"actions[{index}].to_state");
                action = action with { ToState = target.Name, ToStateId = target.Id };
            }

            if (parsed.Secret is { } secret)
                action = action with { ProtectedSecret = Convert.ToBase64String(secrets.Seal(secret, tenantId)) };
            actions.Add(action);
        }

        var now = DateTime.UtcNow;
        return new Automation(id, draft.Name, draft.Trigger, stateId, null, fromStateId, null, toStateId, null, draft.Conditions, actions,
            draft.IsActive, current?.ExecutionCount ?? 0, current?.LastExecutedAt, current?.Created ?? now, now);
    }
}
