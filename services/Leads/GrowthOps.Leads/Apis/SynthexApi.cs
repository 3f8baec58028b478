using System.ComponentModel;
using System.Text.Json;
using System.Text.Json.Nodes;
using static GrowthOps.ServiceDefaults.Compatibility.SeedBody;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Integrations;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Outbound;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Query;
using GrowthOps.ServiceDefaults.Secrets;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The seeds' action-style routes (<c>/api/synthex/leads/state?type=…</c>, <c>POST {action: …}</c>), answered by the same
/// handlers as the REST routes. Bodies are accepted verbatim — snake_case or the seeds' camelCase (<c>tenantId</c>,
/// <c>triggeredBy</c>), and so are the query's <c>tenantId</c> and <c>leadId</c> — and a tenant id that is not the token's
/// tenant is refused with 403. A member of the wrong JSON type is a 400 naming it, as on the REST routes.
/// </summary>
public static class SynthexApi
{
    public static IEndpointRouteBuilder MapSynthexLeadsApi(this IEndpointRouteBuilder app)
    {
        var route = app.MapGroup("/api/synthex/leads/state").WithTags("Compatibility");
        route.MapGet("/", Get).WithQueryAliases(("tenantId", "tenant_id"), ("leadId", "lead_id"));
        route.MapPost("/", Post).WithIdempotency();
        return app;
    }

    static readonly string[] GetTypes = ["stats", "states", "transitions", "history", "predictions", "automations", "metrics"];

    static readonly string[] Actions =
        ["create_state", "update_state", "delete_state", "create_transition", "execute_transition", "predict", "create_automation"];

    [ProducesResponseType<JsonElement>(StatusCodes.Status200OK, Description = "What the REST route for the type answers.")]
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status403Forbidden, "tenant_id is not the token's tenant.")]
    [ProducesProblem(StatusCodes.Status404NotFound, "lead_id names no contact.")]
    static async Task<IResult> Get(HttpContext http, [Description("stats, states, transitions, history, predictions, automations or metrics.")] string? type,
        [Description("When given, must be the token's tenant (403 otherwise); also tenantId.")] Guid? tenantId,
        [Description("history, predictions: the contact; also leadId.")] Guid? leadId, CurrentTenant tenant, CancellationToken ct)
    {
        if (tenantId is { } requested && requested != tenant.Required)
            return Forbidden();
        var services = http.RequestServices;
        var tx = services.GetRequiredService<LeadsTransaction>();
        return type switch
        {
            "stats" => await InsightsApi.Stats(tx, services.GetRequiredService<MetricsStore>(), services.GetRequiredService<LeadScoring>(),
                services.GetRequiredService<IOptions<LeadsOptions>>(), ct),
            "metrics" => await InsightsApi.Metrics(tx, services.GetRequiredService<MetricsStore>(), services.GetRequiredService<StatesStore>(), ct),
            "states" => await StatesApi.ListStates(tx, services.GetRequiredService<StatesStore>(), ct),
            "transitions" => await StatesApi.ListTransitions(tx, services.GetRequiredService<StatesStore>(), ct),
            "automations" => await AutomationsApi.ListAutomations(tx, services.GetRequiredService<AutomationsStore>(), null, null, ct),
            "history" when leadId is { } lead => await StatesApi.History(lead, tx, services.GetRequiredService<ContactsStore>(),
                services.GetRequiredService<HistoryStore>(), ct),
            "predictions" when leadId is { } lead => await InsightsApi.ListPredictions(lead, new PageRequest(), tx, services.GetRequiredService<ContactsStore>(),
                services.GetRequiredService<PredictionsStore>(), ct),
            "history" or "predictions" => Invalid("lead_id", "is required (a contact id)"),
            _ => Invalid("type", $"must be one of {string.Join(", ", GetTypes)}"),
        };
    }

    [Consumes(typeof(SynthexLeadsRequest), "application/json")]
    [ProducesResponseType<JsonElement>(StatusCodes.Status200OK, Description = "What the REST route for the action answers.")]
    [ProducesResponseType<JsonElement>(StatusCodes.Status201Created, Description = "What the REST route for the action answers.")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesProblem(StatusCodes.Status403Forbidden, "tenantId is not the token's tenant.")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "As the REST route for the action.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "As the REST route for the action.")]
    static async Task<IResult> Post(HttpContext http, JsonElement body, CurrentTenant tenant, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return Invalid("body", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var fields = SnakeCase(body, errors);
        var requestTenant = Uuid(fields, "tenant_id", "a tenant id", errors);
        var action = Text(fields, "action", errors);
        // The envelope's documented ids are checked whatever the action: a mistyped one is refused, never silently ignored.
        Uuid(fields, "lead_id", "a contact id", errors);
        Uuid(fields, "state_id", "a state id", errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        if (requestTenant is { } requested && requested != tenant.Required)
            return Forbidden();
        fields.Remove("action");
        fields.Remove("tenant_id");
        var services = http.RequestServices;
        var tx = services.GetRequiredService<LeadsTransaction>();
        var states = services.GetRequiredService<StatesStore>();

        switch (action)
        {
            case "create_state":
                return TryRead<StatesApi.StateRequest>(fields, errors) is { } created
                    ? await StatesApi.CreateState(created, tx, states, ct)
                    : TypedResults.ValidationProblem(errors);
            case "update_state":
                return (StateId(fields, errors), TryRead<StatesApi.StateRequest>(fields, errors)) switch
                {
                    ({ } updateId, { } update) => await StatesApi.UpdateState(updateId, update, tx, states, ct),
                    _ => Refused(errors, "state_id"),
                };
            case "delete_state":
                return StateId(fields, errors) is { } deleteId ? await StatesApi.DeleteState(deleteId, tx, states, ct) : Refused(errors, "state_id");
            case "create_transition":
                Alias(fields, "from_state_id", "from_state");
                Alias(fields, "to_state_id", "to_state");
                return TryRead<StatesApi.TransitionRequest>(fields, errors) is { } transition
                    ? await StatesApi.CreateTransition(transition, tx, states, ct)
                    : TypedResults.ValidationProblem(errors);
            case "execute_transition":
                Alias(fields, "to_state_id", "to_state");
                return (LeadId(fields, errors), TryRead<StatesApi.ExecuteRequest>(fields, errors)) switch
                {
                    ({ } lead, { } execute) => await StatesApi.ExecuteTransition(lead, execute, tx, services.GetRequiredService<LeadStateEngine>(), tenant, ct),
                    _ => Refused(errors, "lead_id"),
                };
            case "predict":
                return LeadId(fields, errors) is { } predictFor
                    ? await InsightsApi.Predict(predictFor, tx, services.GetRequiredService<PredictionService>(), ct)
                    : Refused(errors, "lead_id");
            case "create_automation":
                return await AutomationsApi.CreateAutomation(JsonSerializer.SerializeToElement(fields), tx, services.GetRequiredService<AutomationsStore>(),
                    states, services.GetRequiredService<TenantSecretBox>(), tenant, services.GetRequiredService<OutboundPolicy>(), ct);
            default:
                return Invalid("action", $"must be one of {string.Join(", ", Actions)}");
        }
    }

    static void Alias(JsonObject fields, string from, string to)
    {
        if (fields[to] is null && fields[from] is { } value)
            fields[to] = value.DeepClone();
    }

    static Guid? LeadId(JsonObject fields, Dictionary<string, string[]> errors) =>
        Uuid(fields, "lead_id", "a contact id", errors) ?? Uuid(fields, "contact_id", "a contact id", errors);

    static Guid? StateId(JsonObject fields, Dictionary<string, string[]> errors) =>
        Uuid(fields, "state_id", "a state id", errors) ?? Uuid(fields, "id", "a state id", errors);

    /// <summary>The errors found, or that the <paramref name="required"/> member is missing when none was.</summary>
    static IResult Refused(Dictionary<string, string[]> errors, string required) =>
        errors.Count > 0 ? TypedResults.ValidationProblem(errors) : Invalid(required, "is required");
}
