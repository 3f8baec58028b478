using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Integrations;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Outbound;
using GrowthOps.ServiceDefaults.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The seeds' action-style routes (<c>/api/synthex/leads/state?type=…</c>, <c>POST {action: …}</c>), answered by the same
/// handlers as the REST routes. Bodies are accepted verbatim — snake_case or the seeds' camelCase (<c>tenantId</c>,
/// <c>triggeredBy</c>) — and a <c>tenantId</c> that is not the token's tenant is refused with 403.
/// </summary>
public static class SynthexApi
{
    public static IEndpointRouteBuilder MapSynthexLeadsApi(this IEndpointRouteBuilder app)
    {
        var route = app.MapGroup("/api/synthex/leads/state").WithTags("Compatibility");
        route.MapGet("/", Get);
        route.MapPost("/", Post).WithIdempotency();
        return app;
    }

    static readonly string[] GetTypes = ["stats", "states", "transitions", "history", "predictions", "automations", "metrics"];

    static readonly string[] Actions =
        ["create_state", "update_state", "delete_state", "create_transition", "execute_transition", "predict", "create_automation"];

    [ProducesResponseType<JsonElement>(StatusCodes.Status200OK, Description = "What the REST route for the type answers.")]
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status403Forbidden, "tenantId is not the token's tenant.")]
    [ProducesProblem(StatusCodes.Status404NotFound, "lead_id names no contact.")]
    static async Task<IResult> Get(HttpContext http, string? type, CurrentTenant tenant, CancellationToken ct)
    {
        var query = http.Request.Query;
        if (OtherTenant(query["tenantId"].FirstOrDefault() ?? query["tenant_id"].FirstOrDefault(), tenant) is { } forbidden)
            return forbidden;
        var services = http.RequestServices;
        var tx = services.GetRequiredService<LeadsTransaction>();
        Guid? leadId = Guid.TryParse(query["lead_id"].FirstOrDefault() ?? query["leadId"].FirstOrDefault(), out var id) ? id : null;
        return type switch
        {
            "stats" => await InsightsApi.Stats(tx, services.GetRequiredService<MetricsStore>(), ct),
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
        var fields = SnakeCase(body);
        if (OtherTenant(fields["tenant_id"]?.GetValue<string>(), tenant) is { } forbidden)
            return forbidden;
        var action = fields["action"]?.GetValue<string>();
        fields.Remove("action");
        fields.Remove("tenant_id");
        var services = http.RequestServices;
        var tx = services.GetRequiredService<LeadsTransaction>();
        var states = services.GetRequiredService<StatesStore>();

        switch (action)
        {
            case "create_state":
                return await StatesApi.CreateState(Read<StatesApi.StateRequest>(fields), tx, states, ct);
            case "update_state":
                return StateId(fields) is { } updateId
                    ? await StatesApi.UpdateState(updateId, Read<StatesApi.StateRequest>(fields), tx, states, ct)
                    : Invalid("state_id", "is required");
            case "delete_state":
                return StateId(fields) is { } deleteId ? await StatesApi.DeleteState(deleteId, tx, states, ct) : Invalid("state_id", "is required");
            case "create_transition":
                Alias(fields, "from_state_id", "from_state");
                Alias(fields, "to_state_id", "to_state");
                return await StatesApi.CreateTransition(Read<StatesApi.TransitionRequest>(fields), tx, states, ct);
            case "execute_transition":
                if (LeadId(fields) is not { } lead)
                    return Invalid("lead_id", "is required");
                Alias(fields, "to_state_id", "to_state");
                return await StatesApi.ExecuteTransition(lead, Read<StatesApi.ExecuteRequest>(fields), tx,
                    services.GetRequiredService<LeadStateEngine>(), tenant, ct);
            case "predict":
                return LeadId(fields) is { } predictFor
                    ? await InsightsApi.Predict(predictFor, tx, services.GetRequiredService<PredictionService>(), ct)
                    : Invalid("lead_id", "is required");
            case "create_automation":
                return await AutomationsApi.CreateAutomation(JsonSerializer.SerializeToElement(fields), tx, services.GetRequiredService<AutomationsStore>(),
                    states, services.GetRequiredService<SecretProtector>(), tenant, services.GetRequiredService<OutboundPolicy>(), ct);
            default:
                return Invalid("action", $"must be one of {string.Join(", ", Actions)}");
        }
    }

    /// <summary>A 403 when the request names a tenant that is not the token's.</summary>
    static ProblemHttpResult? OtherTenant(string? requestTenant, CurrentTenant tenant) =>
        requestTenant is null || (Guid.TryParse(requestTenant, out var id) && id == tenant.Required)
            ? null
            : TypedResults.Problem("tenantId does not match the tenant of the token.", statusCode: StatusCodes.Status403Forbidden, title: "Forbidden");

    /// <summary>The body with every member name in snake_case (<c>triggeredBy</c> → <c>triggered_by</c>).</summary>
    static JsonObject SnakeCase(JsonElement body)
    {
        var result = new JsonObject();
        foreach (var property in body.EnumerateObject())
            result[JsonNamingPolicy.SnakeCaseLower.ConvertName(property.Name)] = JsonNode.Parse(property.Value.GetRawText());
        return result;
    }

    static void Alias(JsonObject fields, string from, string to)
    {
        if (fields[to] is null && fields[from] is { } value)
            fields[to] = value.DeepClone();
    }

    static Guid? LeadId(JsonObject fields) => Id(fields, "lead_id") ?? Id(fields, "contact_id");

    static Guid? StateId(JsonObject fields) => Id(fields, "state_id") ?? Id(fields, "id");

    static Guid? Id(JsonObject fields, string name) =>
        fields[name] is JsonValue value && value.TryGetValue<string>(out var text) && Guid.TryParse(text, out var id) ? id : null;

    static T Read<T>(JsonObject fields)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        return fields.Deserialize<T>(options)!;
    }

    static IResult Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });
}
