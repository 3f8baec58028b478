namespace GrowthOps.Bench.Infrastructure;

/// <summary>Percentiles of sorted samples (nearest rank).</summary>
public static class BenchStats
{
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(p * sorted.Length) - 1))];

    public static double Median(IEnumerable<double> values) => Percentile(values.Order().ToArray(), 0.5);
}
