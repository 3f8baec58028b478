using System.ComponentModel;
using GrowthOps.Leads.Consumers;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The AI score (<c>ai_score</c>, 0–100): its model and its measured quality, and training on demand (it also retrains every
/// tenant daily, <see cref="LeadsOptions.ScoringTrainingCron"/>).
/// </summary>
public static class ScoringApi
{
    public static IHostApplicationBuilder AddScoring(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ScoringStore>();
        builder.Services.AddScoped<TenantsStore>();
        builder.Services.AddScoped<SnapshotRepublishStore>();
        builder.Services.AddScoped<LeadScoring>();
        builder.Services.AddHostedService<LeadScoreTrainingSchedule>();
        return builder;
    }

    public static RouteGroupBuilder MapScoringApi(this RouteGroupBuilder api)
    {
        var scoring = api.MapGroup("/scoring").WithTags("Scoring");
        scoring.MapGet("/", GetModel);
        scoring.MapPost("/train", Train);
        return api;
    }

    public sealed record Coefficient(string Feature, double Weight);

    [Description("The AI score's model: which weights are in use and how well the tenant's own calibration ranks held-out contacts.")]
    public sealed record AiScoringDto(
        [property: Description("calibrated (fitted on the tenant's won/lost contacts) or default.")] string Model,
        [property: Description("When it was last trained; null if never.")] DateTime? TrainedAt,
        [property: Description("Contacts the calibration was fitted on (0 when nothing was fitted).")] int TrainingContacts,
        [property: Description("Contacts the AUCs were measured on: a fixed quarter held out of fitting, or all closed contacts when nothing was fitted.")]
        int HeldOutContacts,
        [property: Description("Won contacts at training.")] int Won,
        [property: Description("Lost contacts at training.")] int Lost,
        [property: Description("Of each, a calibration needs at least this many.")] int MinOutcomes,
        [property: Description("AUC of the calibrated weights on the held-out contacts (the chance a won one scores above a lost one).")] double? Auc,
        [property: Description("AUC of the default weights on the same contacts.")] double? DefaultAuc,
        [property: Description("The weights in use: the intercept, then one per feature.")] IReadOnlyList<Coefficient> Coefficients,
        [property: Description("The fitted weights, also when the defaults were kept.")] IReadOnlyList<Coefficient>? CalibratedCoefficients,
        string Reason)
    {
        public static AiScoringDto From(ScoringModel m, int minOutcomes) => new(m.Model, m.TrainedAt, m.TrainingContacts, m.HeldOutContacts, m.Won,
            m.Lost, minOutcomes, m.Auc, m.DefaultAuc, Named(m.Weights, m.FeatureNames)!, Named(m.CalibratedWeights, m.FeatureNames), m.Reason);

        static List<Coefficient>? Named(double[]? weights, string[] names) =>
            weights?.Select((w, i) => new Coefficient(i == 0 ? "intercept" : names.ElementAtOrDefault(i - 1) ?? $"feature_{i}", w)).ToList();
    }

    static async Task<Ok<AiScoringDto>> GetModel(LeadsTransaction tx, LeadScoring scoring, IOptions<LeadsOptions> options,
        CancellationToken ct) =>
        TypedResults.Ok(AiScoringDto.From(await tx.RunAsync(() => scoring.CurrentAsync(ct), ct), options.Value.ScoringMinOutcomes));

    /// <summary>Trains now on the tenant's won/lost contacts and re-scores its contacts in the background; answers the new model.</summary>
    static async Task<Ok<AiScoringDto>> Train(LeadsTransaction tx, LeadScoring scoring, IOptions<LeadsOptions> options,
        CancellationToken ct) =>
        TypedResults.Ok(AiScoringDto.From(await tx.RunAsync(() => scoring.TrainAsync(ct), ct), options.Value.ScoringMinOutcomes));
}
