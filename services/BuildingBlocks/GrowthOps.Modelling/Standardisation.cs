namespace GrowthOps.Modelling;

/// <summary>
/// Centres and scales each feature to mean 0 and standard deviation 1 (a constant feature keeps scale 1), so that one ridge
/// penalty weighs features of different units (a count, a number of days, a 0/1 flag) alike. <see cref="ToRaw"/> turns
/// weights fitted on standardised features back into weights on the raw ones, so a prediction needs no scaling (a SQL
/// expression over the raw columns gives the same probability).
/// </summary>
public sealed record Standardisation(IReadOnlyList<double> Means, IReadOnlyList<double> Scales)
{
    public static Standardisation Of(IReadOnlyList<LabelledSample> samples)
    {
        var m = samples[0].Features.Count;
        var means = new double[m];
        var scales = new double[m];
        for (var j = 0; j < m; j++)
        {
            var mean = samples.Average(s => s.Features[j]);
            var sd = Math.Sqrt(samples.Average(s => (s.Features[j] - mean) * (s.Features[j] - mean)));
            means[j] = mean;
            scales[j] = sd > 1e-12 ? sd : 1;
        }

        return new Standardisation(means, scales);
    }

    public double[] Apply(IReadOnlyList<double> features) => features.Select((x, j) => (x - Means[j]) / Scales[j]).ToArray();

    public LabelledSample Apply(LabelledSample sample) => sample with { Features = Apply(sample.Features) };

    /// <summary>w'·(x − μ)/σ + b = (w/σ)·x + (b − Σ wμ/σ): the same probabilities from raw features.</summary>
    public double[] ToRaw(IReadOnlyList<double> weights)
    {
        var raw = new double[weights.Count];
        raw[0] = weights[0];
        for (var j = 1; j < weights.Count; j++)
        {
            raw[j] = weights[j] / Scales[j - 1];
            raw[0] -= weights[j] * Means[j - 1] / Scales[j - 1];
        }

        return raw;
    }
}
