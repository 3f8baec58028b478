using System.Text.Json.Serialization;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Apis;

/// <summary>D19 insights: next-state predictions (scored as leads move), per-state metrics and the tenant's stats.</summary>
public static class InsightsApi
{
    public static IHostApplicationBuilder AddInsights(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PredictionsStore>();
        builder.Services.AddScoped<MetricsStore>();
        builder.Services.AddScoped<PredictionService>();
        builder.Services.AddScoped<ILeadTransitionObserver, PredictionOutcomeObserver>();
        return builder;
    }

    public static RouteGroupBuilder MapInsightsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/contacts/{id:guid}/predictions", Predict).WithTags("Predictions").WithIdempotency();
        api.MapGet("/contacts/{id:guid}/predictions", ListPredictions).WithTags("Predictions");
        api.MapGet("/metrics", Metrics).WithTags("Insights");
        api.MapGet("/stats", Stats).WithTags("Insights");
        return api;
    }

    public sealed record PredictionDto(
        Guid Id, Guid ContactId, Guid FromStateId, string? FromState, Guid PredictedStateId, string? PredictedState,
        IReadOnlyList<PredictionProbability> Probabilities, double Confidence, PredictionFeatures Features, string Model, DateTime CreatedAt,
        DateTime ExpiresAt, Guid? OutcomeStateId, string? OutcomeState, DateTime? OutcomeAt, bool? Correct, bool Cached)
    {
        public static PredictionDto From(StoredPrediction p, bool cached) => new(p.Id, p.ContactId, p.FromStateId, p.FromState, p.PredictedStateId,
            p.PredictedState, p.Probabilities, p.Confidence, p.Features, p.Model, p.Created, p.ExpiresAt, p.OutcomeStateId, p.OutcomeState,
            p.OutcomeAt, p.Correct, cached);
    }

    /// <param name="ConversionToNext">Of the moves out of this state, the share that went to its pipeline next step; null without moves.</param>
    public sealed record StateMetrics(
        Guid StateId, string State, int Position, bool IsTerminal, long Contacts, double? AvgSecondsInState, double? MedianSecondsInState,
        long TransitionsIn, long TransitionsOut, Guid? NextStateId, string? NextState, long TransitionsToNext, double? ConversionToNext);

    public sealed record MetricsResponse(IReadOnlyList<StateMetrics> States, DateTime GeneratedAt);

    public sealed record PredictionAccuracy(long Predictions, long Resolved, long Correct, double? Accuracy);

    public sealed record AutomationExecutions(long Total, long Succeeded, long Failed, long Skipped);

    public sealed record StatsResponse(
        long Contacts, long Leads, long Customers, long Won, long Lost, double? WonRate, double? LostRate,
        [property: JsonPropertyName("transitions_30d")] long Transitions30d, long TransitionsTotal, PredictionAccuracy PredictionAccuracy,
        AutomationExecutions AutomationExecutions, ScoringApi.AiScoringDto AiScoring, DateTime GeneratedAt);

    /// <summary>201 with a new prediction, or 200 with the standing one (<c>cached: true</c>).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The contact has no state, or no transition leads out of it.")]
    public static async Task<Results<Created<PredictionDto>, Ok<PredictionDto>>> Predict(Guid id, LeadsTransaction tx, PredictionService service,
        CancellationToken ct)
    {
        var outcome = await tx.RunAsync(() => service.PredictAsync(id, ct), ct);
        var dto = PredictionDto.From(outcome.Prediction, outcome.Cached);
        return outcome.Cached ? TypedResults.Ok(dto) : TypedResults.Created($"/api/leads/contacts/{id}/predictions", dto);
    }

    public static async Task<Results<Ok<Page<PredictionDto>>, NotFound>> ListPredictions(Guid id, [AsParameters] PageRequest page, LeadsTransaction tx,
        ContactsStore contacts, PredictionsStore predictions, CancellationToken ct)
    {
        var found = await tx.RunAsync(async () => await contacts.GetAsync(id, ct) is null ? null : await predictions.ListAsync(id, page, ct), ct);
        return found is null ? TypedResults.NotFound() : TypedResults.Ok(found.Select(p => PredictionDto.From(p, cached: false)));
    }

    public static async Task<Ok<MetricsResponse>> Metrics(LeadsTransaction tx, MetricsStore metrics, StatesStore states, CancellationToken ct)
    {
        var (rows, moves, rules) = await tx.RunAsync(async () =>
            (await metrics.StatesAsync(ct), await metrics.TransitionCountsAsync(ct), await states.ListTransitionsAsync(ct)), ct);

        // The pipeline's next step is defined as in the predictor: the lowest state above this one that a rule of its own
        // (not an any-state rule, which leads out of the pipeline) allows.
        var exits = rules.Where(r => r.FromStateId is null).Select(r => r.ToStateId).ToHashSet();
        var byId = rows.ToDictionary(r => r.StateId);
        var result = rows.Select(row =>
        {
            var targets = rules.Where(r => r.FromStateId == row.StateId && byId.ContainsKey(r.ToStateId))
                .Select(r => new PredictionCandidate(r.ToStateId, r.ToState, byId[r.ToStateId].Position, exits.Contains(r.ToStateId)));
            var next = NextStatePredictor.PipelineNext(new PredictionCandidate(row.StateId, row.State, row.Position), targets);
            var toNext = next is null ? 0 : moves.GetValueOrDefault((row.StateId, next.Id));
            return new StateMetrics(row.StateId, row.State, row.Position, row.IsTerminal, row.Contacts, row.AvgSecondsInState, row.MedianSecondsInState,
                row.TransitionsIn, row.TransitionsOut, next?.Id, next?.Name, toNext,
                next is null || row.TransitionsOut == 0 ? null : (double)toNext / row.TransitionsOut);
        }).ToList();
        return TypedResults.Ok(new MetricsResponse(result, DateTime.UtcNow));
    }

    public static async Task<Ok<StatsResponse>> Stats(LeadsTransaction tx, MetricsStore metrics, LeadScoring scoring, IOptions<LeadsOptions> options,
        CancellationToken ct)
    {
        var now = DateTime.UtcNow;
        var (s, model) = await tx.RunAsync(async () => (await metrics.StatsAsync(now.AddDays(-30), ct), await scoring.CurrentAsync(ct)), ct);
        var closed = s.Won + s.Lost;
        return TypedResults.Ok(new StatsResponse(s.Contacts, s.Leads, s.Customers, s.Won, s.Lost, Ratio(s.Won, closed), Ratio(s.Lost, closed),
            s.Transitions30d, s.TransitionsTotal,
            new PredictionAccuracy(s.Predictions, s.PredictionsResolved, s.PredictionsCorrect, Ratio(s.PredictionsCorrect, s.PredictionsResolved)),
            new AutomationExecutions(s.AutomationExecutions, s.AutomationsSucceeded, s.AutomationsFailed, s.AutomationsSkipped),
            ScoringApi.AiScoringDto.From(model, options.Value.ScoringMinOutcomes), now));
    }

    static double? Ratio(long part, long whole) => whole == 0 ? null : (double)part / whole;
}
