using MathNet.Numerics.LinearAlgebra;

namespace GrowthOps.Modelling;

/// <summary>
/// Logistic regression of a positive (1) against a negative (0) outcome, fitted by iteratively reweighted least squares with
/// a small ridge penalty on every weight but the intercept (which keeps the weights finite when a feature separates the
/// outcomes, or never varies), and its AUC. Weights are the intercept first, then one per feature.
/// </summary>
public static class LogisticRegression
{
    /// <summary>The default ridge penalty: small against the 60 or more examples a fit should have.</summary>
    public const double DefaultRidge = 1.0;

    public static double Probability(IReadOnlyList<double> weights, IReadOnlyList<double> features)
    {
        var z = weights[0];
        for (var i = 0; i < features.Count; i++)
            z += weights[i + 1] * features[i];
        return 1 / (1 + Math.Exp(-Math.Clamp(z, -50, 50)));
    }

    /// <summary>Newton–Raphson on the penalised log-likelihood (IRLS): a handful of iterations for a few features.</summary>
    public static double[] Fit(IReadOnlyList<LabelledSample> samples, double ridge = DefaultRidge, int maxIterations = 100)
    {
        var m = samples[0].Features.Count + 1;
        var x = Matrix<double>.Build.Dense(samples.Count, m, (i, j) => j == 0 ? 1 : samples[i].Features[j - 1]);
        var y = Vector<double>.Build.Dense(samples.Count, i => samples[i].Positive ? 1 : 0);
        var penalty = Matrix<double>.Build.DiagonalOfDiagonalArray([0, .. Enumerable.Repeat(ridge, m - 1)]);
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

    /// <summary>The AUC of <paramref name="weights"/> on <paramref name="samples"/>; null without both outcomes.</summary>
    public static double? Auc(IReadOnlyList<LabelledSample> samples, IReadOnlyList<double> weights) =>
        Auc(samples.Select(s => (Probability(weights, s.Features), s.Positive)).ToList());

    /// <summary>
    /// The probability that a positive example scores above a negative one (ties count half): the Mann–Whitney statistic.
    /// Null without both outcomes.
    /// </summary>
    public static double? Auc(IReadOnlyList<(double Score, bool Positive)> scored)
    {
        double positives = scored.Count(s => s.Positive), negatives = scored.Count - positives;
        if (positives == 0 || negatives == 0)
            return null;
        var ranked = scored.OrderBy(s => s.Score).ToList();
        double positiveRanks = 0;
        for (var i = 0; i < ranked.Count;)
        {
            var j = i;
            var tiedPositives = 0;
            for (; j < ranked.Count && ranked[j].Score == ranked[i].Score; j++)
                tiedPositives += ranked[j].Positive ? 1 : 0;
            positiveRanks += (i + 1 + j) / 2.0 * tiedPositives;
            i = j;
        }

        return (positiveRanks - positives * (positives + 1) / 2) / (positives * negatives);
    }
}
