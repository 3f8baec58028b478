using MathNet.Numerics.LinearAlgebra;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// The AI score's calibration: a logistic regression of won (1) against lost (0) over the score's features
/// (<c>leads.score_features</c>), fitted by iteratively reweighted least squares with a small ridge penalty (which keeps the
/// weights finite when a feature separates the outcomes, or never varies), and measured by its AUC on held-out contacts.
/// Weights are the intercept first, then one per feature, as <c>leads.score</c> reads them.
/// </summary>
public static class LeadScoreModel
{
    public sealed record Sample(Guid ContactId, IReadOnlyList<double> Features, bool Won);

    /// <param name="Model"><c>calibrated</c> when the fitted weights are in use, else <c>default</c>.</param>
    /// <param name="Calibrated">The fitted weights, also when the defaults were kept (they ranked held-out contacts better).</param>
    /// <param name="HeldOutContacts">Contacts the AUCs were measured on: the held-out share, or every closed contact when nothing was fitted.</param>
    public sealed record Outcome(
        string Model, double[] Weights, double[]? Calibrated, int TrainingContacts, int HeldOutContacts, int Won, int Lost, double? Auc,
        double? DefaultAuc, string Reason);

    public const string CalibratedModel = "calibrated";
    public const string DefaultModel = "default";

    /// <summary>Ridge penalty on every weight but the intercept: small against the 60 or more contacts a fit needs.</summary>
    const double Ridge = 1.0;

    /// <summary>
    /// Fits on the contacts not held out and measures on those held out (<see cref="IsHeldOut"/>), when there are at least
    /// <paramref name="minOutcomes"/> won and as many lost; the defaults stay otherwise, or when they rank the held-out
    /// contacts better than the fit.
    /// </summary>
    public static Outcome Train(IReadOnlyList<Sample> samples, double[] defaults, int minOutcomes)
    {
        var won = samples.Count(s => s.Won);
        var lost = samples.Count - won;
        if (won < minOutcomes || lost < minOutcomes)
            return new Outcome(DefaultModel, defaults, null, 0, samples.Count, won, lost, null, Auc(samples, defaults),
                $"too little history: {won} won and {lost} lost contacts, {minOutcomes} of each are needed");

        var training = samples.Where(s => !IsHeldOut(s.ContactId)).ToList();
        var heldOut = samples.Where(s => IsHeldOut(s.ContactId)).ToList();
        if (!HasBoth(training) || !HasBoth(heldOut))
            return new Outcome(DefaultModel, defaults, null, 0, samples.Count, won, lost, null, Auc(samples, defaults),
                "the held-out share lacks won or lost contacts");

        var fitted = Fit(training);
        var auc = Auc(heldOut, fitted);
        var defaultAuc = Auc(heldOut, defaults);
        return auc >= defaultAuc
            ? new Outcome(CalibratedModel, fitted, fitted, training.Count, heldOut.Count, won, lost, auc, defaultAuc,
                $"fitted on {training.Count} contacts, measured on {heldOut.Count} held out")
            : new Outcome(DefaultModel, defaults, fitted, training.Count, heldOut.Count, won, lost, auc, defaultAuc,
                "the default weights rank the held-out contacts better than the fitted ones");
    }

    /// <summary>
    /// A quarter of the contacts, always the same ones (from the random bits of their ids), so that retraining measures on
    /// contacts no fit has seen.
    /// </summary>
    public static bool IsHeldOut(Guid contactId)
    {
        Span<byte> bytes = stackalloc byte[16];
        contactId.TryWriteBytes(bytes);
        return bytes[15] % 4 == 0;
    }

    public static double Probability(IReadOnlyList<double> weights, IReadOnlyList<double> features)
    {
        var z = weights[0];
        for (var i = 0; i < features.Count; i++)
            z += weights[i + 1] * features[i];
        return 1 / (1 + Math.Exp(-Math.Clamp(z, -50, 50)));
    }

    /// <summary>Newton–Raphson on the penalised log-likelihood (IRLS): a handful of iterations for a few features.</summary>
    public static double[] Fit(IReadOnlyList<Sample> samples, int maxIterations = 100)
    {
        var m = samples[0].Features.Count + 1;
        var x = Matrix<double>.Build.Dense(samples.Count, m, (i, j) => j == 0 ? 1 : samples[i].Features[j - 1]);
        var y = Vector<double>.Build.Dense(samples.Count, i => samples[i].Won ? 1 : 0);
        var penalty = Matrix<double>.Build.DiagonalOfDiagonalArray([0, .. Enumerable.Repeat(Ridge, m - 1)]);
        var beta = Vector<double>.Build.Dense(m);
        for (var iteration = 0; iteration < maxIterations; iteration++)
        {
            var p = (x * beta).Map(z => 1 / (1 + Math.Exp(-Math.Clamp(z, -50, 50))));
            var w = p.Map(v => Math.Max(v * (1 - v), 1e-10));
            var weighted = x.Clone();
            for (var i = 0; i < weighted.RowCount; i++)
                weighted.SetRow(i, weighted.Row(i) * w[i]);
            var hessian = x.TransposeThisAndMultiply(weighted) + penalty;
            var gradient = x.TransposeThisAndMultiply(y - p) - penalty * beta;
            var step = hessian.Cholesky().Solve(gradient);
            beta += step;
            if (step.AbsoluteMaximum() < 1e-9)
                break;
        }

        return beta.ToArray();
    }

    /// <summary>
    /// The probability that a won contact scores above a lost one (ties count half): the Mann–Whitney statistic. Null
    /// without both outcomes.
    /// </summary>
    public static double? Auc(IReadOnlyList<Sample> samples, IReadOnlyList<double> weights)
    {
        if (!HasBoth(samples))
            return null;
        var ranked = samples.Select(s => (Score: Probability(weights, s.Features), s.Won)).OrderBy(s => s.Score).ToList();
        double wonRanks = 0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            while (j < ranked.Count && ranked[j].Score == ranked[i].Score)
                j++;
            var rank = (i + 1 + j) / 2.0;
            wonRanks += rank * ranked.Skip(i).Take(j - i).Count(s => s.Won);
            i = j;
        }

        double won = ranked.Count(s => s.Won), lost = ranked.Count - won;
        return (wonRanks - won * (won + 1) / 2) / (won * lost);
    }

    static bool HasBoth(IReadOnlyList<Sample> samples) => samples.Any(s => s.Won) && samples.Any(s => !s.Won);
}
