using GrowthOps.Modelling;

namespace GrowthOps.BuildingBlocks.Tests.Modelling;

/// <summary>The shared propensity model (Leads' AI score, Segments' predicted conversion) as pure functions, without a database.</summary>
public sealed class Fitting_a_logistic_regression
{
    static LabelledSample Sample(double x, bool positive) => new(Guid.CreateVersion7(), [x], positive);

    static List<LabelledSample> Generated(int seed, int count, double intercept, double w1, double w2, double scale2)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ =>
        {
            double[] x = [random.NextDouble() < .5 ? 1 : 0, random.NextDouble() * 3 * scale2];
            var p = 1 / (1 + Math.Exp(-(intercept + w1 * x[0] + w2 * x[1] / scale2)));
            return new LabelledSample(Guid.CreateVersion7(), x, random.NextDouble() < p);
        }).ToList();
    }

    [Fact]
    public void Auc_is_the_share_of_positive_negative_pairs_ranked_right_with_ties_counting_half()
    {
        // Positive at 3 and 2, negative at 1 and 2: (3>1) + (3>2) + (2>1) + ½(2=2) = 3.5 of 4 pairs.
        var samples = new[] { Sample(3, true), Sample(2, true), Sample(1, false), Sample(2, false) };
        Assert.Equal(0.875, LogisticRegression.Auc(samples, [0, 1]));
        Assert.Equal(0.125, LogisticRegression.Auc(samples, [0, -1]));
        Assert.Null(LogisticRegression.Auc([Sample(1, true)], [0, 1]));
    }

    [Fact]
    public void The_fit_is_where_the_penalised_likelihood_is_flat()
    {
        var samples = Generated(7, 400, -1.5, 1.2, 0.8, 1);

        var beta = LogisticRegression.Fit(samples);

        // First-order conditions of the log-likelihood with the ridge penalty (1 per weight, none on the intercept):
        // X'(y - p) = penalty × beta, computed here directly from the samples.
        for (var j = 0; j < beta.Length; j++)
        {
            var gradient = samples.Sum(s => ((s.Positive ? 1 : 0) - LogisticRegression.Probability(beta, s.Features)) * (j == 0 ? 1 : s.Features[j - 1]));
            Assert.Equal(j == 0 ? 0 : beta[j], gradient, 1e-6);
        }

        Assert.InRange(beta[1], 0.6, 1.8);
        Assert.InRange(beta[2], 0.4, 1.2);
    }

    [Fact]
    public void Weights_fitted_on_standardised_features_predict_the_same_from_raw_ones()
    {
        // The second feature in thousands: unscaled, the ridge would hardly touch it; standardised, both are penalised alike.
        var samples = Generated(3, 300, -1, 1, 0.9, 1000);
        var scaling = Standardisation.Of(samples);
        var standardised = samples.Select(scaling.Apply).ToList();

        var fitted = LogisticRegression.Fit(standardised);
        var raw = scaling.ToRaw(fitted);

        Assert.Equal(0, standardised.Average(s => s.Features[1]), 1e-9);
        Assert.Equal(1, Math.Sqrt(standardised.Average(s => s.Features[1] * s.Features[1])), 1e-9);
        for (var i = 0; i < samples.Count; i++)
            Assert.Equal(LogisticRegression.Probability(fitted, standardised[i].Features), LogisticRegression.Probability(raw, samples[i].Features), 1e-9);
        Assert.InRange(raw[2] * 1000, 0.5, 1.4);
    }

    [Fact]
    public void A_feature_that_never_varies_keeps_a_scale_of_one_and_no_weight()
    {
        var samples = Enumerable.Range(0, 100).Select(i => new LabelledSample(Guid.CreateVersion7(), [i % 7, 5], i % 3 == 0)).ToList();
        var scaling = Standardisation.Of(samples);

        Assert.Equal(1, scaling.Scales[1]);
        var fitted = LogisticRegression.Fit(samples.Select(scaling.Apply).ToList());
        Assert.Equal(0, fitted[2], 1e-9);
    }

    [Fact]
    public void The_held_out_share_is_a_stable_quarter_that_sql_selects_by_the_last_byte()
    {
        var ids = Enumerable.Range(0, 4000).Select(_ => Guid.NewGuid()).ToList();
        var share = ids.Count(HeldOut.Contains) / (double)ids.Count;
        Assert.InRange(share, 0.2, 0.3);
        Assert.All(ids, id => Assert.Equal(HeldOut.Contains(id), Convert.ToByte(id.ToString("N")[30..], 16) % 4 == 0));
    }
}
