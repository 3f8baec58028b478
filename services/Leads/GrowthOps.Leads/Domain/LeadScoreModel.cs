using GrowthOps.Modelling;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// The AI score's calibration: a <see cref="LogisticRegression"/> of won (positive) against lost over the score's features
/// (<c>leads.score_features</c>, unscaled: <c>leads.score</c> applies the weights to them as they are), measured by its AUC
/// on the <see cref="HeldOut"/> contacts against the defaults'. Weights are the intercept first, then one per feature.
/// </summary>
public static class LeadScoreModel
{
    /// <param name="Model"><c>calibrated</c> when the fitted weights are in use, else <c>default</c>.</param>
    /// <param name="Calibrated">The fitted weights, also when the defaults were kept (they ranked held-out contacts better).</param>
    /// <param name="HeldOutContacts">Contacts the AUCs were measured on: the held-out share, or every closed contact when nothing was fitted.</param>
    public sealed record Outcome(
        string Model, double[] Weights, double[]? Calibrated, int TrainingContacts, int HeldOutContacts, int Won, int Lost, double? Auc,
        double? DefaultAuc, string Reason);

    public const string CalibratedModel = "calibrated";
    public const string DefaultModel = "default";

    /// <summary>
    /// Fits on the contacts not held out and measures on those held out (<see cref="HeldOut"/>), when there are at least
    /// <paramref name="minOutcomes"/> won and as many lost; the defaults stay otherwise, or when they rank the held-out
    /// contacts better than the fit.
    /// </summary>
    public static Outcome Train(IReadOnlyList<LabelledSample> samples, double[] defaults, int minOutcomes)
    {
        var won = samples.Count(s => s.Positive);
        var lost = samples.Count - won;
        if (won < minOutcomes || lost < minOutcomes)
            return new Outcome(DefaultModel, defaults, null, 0, samples.Count, won, lost, null, LogisticRegression.Auc(samples, defaults),
                $"too little history: {won} won and {lost} lost contacts, {minOutcomes} of each are needed");

        var training = samples.Where(s => !HeldOut.Contains(s.Id)).ToList();
        var heldOut = samples.Where(s => HeldOut.Contains(s.Id)).ToList();
        if (!HasBoth(training) || !HasBoth(heldOut))
            return new Outcome(DefaultModel, defaults, null, 0, samples.Count, won, lost, null, LogisticRegression.Auc(samples, defaults),
                "the held-out share lacks won or lost contacts");

        var fitted = LogisticRegression.Fit(training);
        var auc = LogisticRegression.Auc(heldOut, fitted);
        var defaultAuc = LogisticRegression.Auc(heldOut, defaults);
        return auc >= defaultAuc
            ? new Outcome(CalibratedModel, fitted, fitted, training.Count, heldOut.Count, won, lost, auc, defaultAuc,
                $"fitted on {training.Count} contacts, measured on {heldOut.Count} held out")
            : new Outcome(DefaultModel, defaults, fitted, training.Count, heldOut.Count, won, lost, auc, defaultAuc,
                "the default weights rank the held-out contacts better than the fitted ones");
    }

    static bool HasBoth(IReadOnlyList<LabelledSample> samples) => samples.Any(s => s.Positive) && samples.Any(s => !s.Positive);
}
