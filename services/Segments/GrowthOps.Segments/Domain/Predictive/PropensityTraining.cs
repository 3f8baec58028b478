using GrowthOps.Modelling;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Segments;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain.Predictive;

/// <summary>
/// Trains a tenant's propensity model on its won/lost contacts of the read model: a ridge <see cref="LogisticRegression"/>
/// on standardised <see cref="PropensityFeatures"/>, fitted on three quarters and measured (AUC) on the
/// <see cref="HeldOut"/> quarter. Then, in the same transaction, re-predicts every contact in one statement and recomputes
/// the active dynamic segments whose criteria read <c>predicted_conversion</c>, so their members follow the new values.
/// </summary>
public sealed class PropensityTraining(PropensityStore store, SegmentsStore segments, SegmentMembership membership, CriteriaCompiler compiler,
    IOptions<PredictiveOptions> options)
{
    public const string Field = "predicted_conversion";

    public sealed record Result(PropensityModel Model, int Predicted, int SegmentsRecomputed);

    public async Task<Result> TrainAsync(CancellationToken ct)
    {
        var o = options.Value;
        var features = PropensityFeatures.For(await store.TopActivityTypesAsync(o.ActivityTypes, ct));
        var rows = await store.TrainingSetAsync(features, o.MaxTrainingContacts, ct);
        var model = Fit(rows.Select(r => new LabelledSample(r.Id, r.Features, r.Won)).ToList(), features, o.MinOutcomes);
        await store.SaveAsync(model, ct);
        var predicted = await store.PredictAsync(model, null, ct);

        var recomputed = 0;
        foreach (var segment in await segments.ActiveDynamicAsync(ct))
            if (compiler.Parse(segment.Criteria, SegmentMembership.Logic(segment)).Criteria is { } criteria && Reads(criteria.Root))
            {
                await membership.RecomputeAsync(segment, "predicted_conversion", ct);
                recomputed++;
            }

        return new Result(model, predicted, recomputed);
    }

    /// <summary>The model for these samples, or why there is none.</summary>
    public static PropensityModel Fit(IReadOnlyList<LabelledSample> samples, IReadOnlyList<string> features, int minOutcomes)
    {
        var won = samples.Count(s => s.Positive);
        var lost = samples.Count - won;
        PropensityModel None(string reason) => new()
        {
            Status = PropensityModel.InsufficientHistory, Features = [.. features], Won = won, Lost = lost, Reason = reason,
        };
        if (won < minOutcomes || lost < minOutcomes)
            return None($"not enough history: {won} won and {lost} lost contacts, {minOutcomes} of each are needed");
        var training = samples.Where(s => !HeldOut.Contains(s.Id)).ToList();
        var heldOut = samples.Where(s => HeldOut.Contains(s.Id)).ToList();
        if (!HasBoth(training) || !HasBoth(heldOut))
            return None("the held-out share lacks won or lost contacts");

        var scaling = Standardisation.Of(training);
        var weights = scaling.ToRaw(LogisticRegression.Fit(training.Select(scaling.Apply).ToList()));
        return new PropensityModel
        {
            Status = PropensityModel.Trained, Features = [.. features], Weights = weights, Won = won, Lost = lost,
            TrainingContacts = training.Count, HeldOutContacts = heldOut.Count, Auc = LogisticRegression.Auc(heldOut, weights),
            Reason = $"fitted on {training.Count} contacts, measured on {heldOut.Count} held out",
        };
    }

    static bool HasBoth(IReadOnlyList<LabelledSample> samples) => samples.Any(s => s.Positive) && samples.Any(s => !s.Positive);

    static bool Reads(Criterion node) => node switch
    {
        CriteriaGroup g => g.Conditions.Any(Reads),
        FieldCondition f => f.Field.Name == Field,
        _ => false,
    };
}
