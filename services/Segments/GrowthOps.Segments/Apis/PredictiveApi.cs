using System.ComponentModel;
using GrowthOps.Persistence;
using GrowthOps.Segments.Consumers;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Predictive;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// Predictive segments: the tenant's propensity model behind <c>predicted_conversion</c> (its quality, training on demand;
/// it also retrains daily, <see cref="PredictiveOptions.TrainingCron"/>), and a segment's refinement.
/// </summary>
public static class PredictiveApi
{
    public static IHostApplicationBuilder AddPredictive(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PredictiveOptions>().BindConfiguration(PredictiveOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<PropensityStore>();
        builder.Services.AddScoped<RefinementStore>();
        builder.Services.AddScoped<PropensityTraining>();
        builder.Services.AddScoped<SegmentRefinement>();
        builder.Services.AddHostedService<PropensityTrainingSchedule>();
        return builder;
    }

    public static RouteGroupBuilder MapPredictiveApi(this RouteGroupBuilder api)
    {
        var predictive = api.MapGroup("/predictive").WithTags("Predictive");
        predictive.MapGet("/", GetModel);
        predictive.MapPost("/train", Train);
        api.MapGet("/segments/{id:guid}/refinement", Refine).WithTags("Predictive");
        return api;
    }

    public sealed record Coefficient(string Feature, double Weight);

    [Description("The propensity model behind predicted_conversion and its measured quality.")]
    public sealed record PropensityDto(
        [property: Description("trained; insufficient_history (fewer than min_outcomes won or lost: predicted_conversion is null); or untrained (never trained).")]
        string Status,
        [property: Description("When it was last trained; null if never.")] DateTime? TrainedAt,
        [property: Description("Won contacts at training (the read model's now, when never trained).")] int Won,
        [property: Description("Lost contacts at training (the read model's now, when never trained).")] int Lost,
        [property: Description("Of each, a model needs at least this many.")] int MinOutcomes,
        [property: Description("Contacts it was fitted on.")] int TrainingContacts,
        [property: Description("Contacts its AUC was measured on: a fixed quarter held out of fitting.")] int HeldOutContacts,
        [property: Description("The chance a held-out won contact is predicted above a held-out lost one; null without a model.")] double? Auc,
        [property: Description("Weights on the raw features, the intercept first; empty without a model.")] IReadOnlyList<Coefficient> Coefficients,
        string Reason)
    {
        public static PropensityDto From(PropensityModel m, int minOutcomes) => new(m.Status, m.TrainedAt, m.Won, m.Lost, minOutcomes, m.TrainingContacts,
            m.HeldOutContacts, m.Auc,
            m.Weights?.Select((w, i) => new Coefficient(i == 0 ? "intercept" : m.Features.ElementAtOrDefault(i - 1) ?? $"feature_{i}", w)).ToList() ?? [],
            m.Reason);
    }

    [Description("A training: the new model, how many contacts' predicted_conversion changed, and the segments on it recomputed.")]
    public sealed record TrainingDto(PropensityDto Model, int ContactsRepredicted, int SegmentsRecomputed);

    internal static async Task<Ok<PropensityDto>> GetModel(UnitOfWork unitOfWork, PropensityStore store, IOptions<PredictiveOptions> options,
        CancellationToken ct)
    {
        var min = options.Value.MinOutcomes;
        return TypedResults.Ok(PropensityDto.From(await unitOfWork.InTransactionAsync(async () =>
        {
            if (await store.GetAsync(ct) is { } model)
                return model;
            var (won, lost) = await store.OutcomeCountsAsync(ct);
            return new PropensityModel
            {
                Status = PropensityModel.Untrained, Won = won, Lost = lost,
                Reason = won >= min && lost >= min
                    ? "not trained yet: enough history, it trains daily or on POST /api/segments/predictive/train"
                    : $"not trained yet, and not enough history: {won} won and {lost} lost contacts, {min} of each are needed",
            };
        }, ct), min));
    }

    /// <summary>Trains now on the tenant's won/lost contacts and re-predicts every contact in the same transaction.</summary>
    internal static async Task<Ok<TrainingDto>> Train(UnitOfWork unitOfWork, PropensityTraining training, IOptions<PredictiveOptions> options,
        CancellationToken ct)
    {
        var result = await unitOfWork.InTransactionAsync(() => training.TrainAsync(ct), ct);
        return TypedResults.Ok(new TrainingDto(PropensityDto.From(result.Model, options.Value.MinOutcomes), result.Predicted, result.SegmentsRecomputed));
    }

    /// <summary>
    /// For a segment with <c>use_ai_refinement</c>; <c>force=true</c> refines any segment (to try it before turning it on).
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity,
        "Refinement is off for the segment (without force), or its members have too little won/lost history to measure one.")]
    internal static async Task<Ok<Refinement>> Refine(Guid id, UnitOfWork unitOfWork, SegmentsStore segments, SegmentRefinement refinement,
        [Description("Refine even when the segment's use_ai_refinement is off.")] bool? force, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await segments.GetAsync(id, ct) ?? throw new NotFoundException($"Segment {id} does not exist.");
            if (!segment.UseAiRefinement && force != true)
                throw new RuleRefusedException($"Refinement is off for segment '{segment.Name}': set use_ai_refinement, or ask with force=true.");
            return await refinement.SuggestAsync(segment, ct);
        }, ct));
}
