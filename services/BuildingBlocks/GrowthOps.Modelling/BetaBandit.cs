using MathNet.Numerics.Distributions;

namespace GrowthOps.Modelling;

/// <summary>An arm of a Bernoulli bandit: how often it was chosen and how often that converted.</summary>
public sealed record Arm(string Id, long Trials, long Successes)
{
    /// <summary>The posterior Beta(1 + successes, 1 + failures) under a uniform prior.</summary>
    public (double Alpha, double Beta) Posterior => (1 + Successes, 1 + Math.Max(0, Trials - Successes));

    public double PosteriorMean => Posterior.Alpha / (Posterior.Alpha + Posterior.Beta);
}

/// <summary>What the posterior says about one arm: its mean, a 95 % credible interval and the chance that it is the best.</summary>
public sealed record ArmPosterior(string Id, long Trials, long Successes, double Alpha, double Beta, double Mean, double Lower95, double Upper95,
    double ProbabilityBest);

/// <summary>
/// Thompson sampling over Beta-Bernoulli arms: each choice draws a conversion rate from every arm's posterior and takes the
/// highest, so traffic shifts to the better arm as evidence accumulates while the others keep being explored in proportion
/// to the chance that they are best.
/// </summary>
public static class BetaBandit
{
    /// <summary>The arm a Thompson draw picks; the same <paramref name="random"/> state gives the same choice.</summary>
    public static string Choose(IReadOnlyList<Arm> arms, Random random)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(arms.Count, 1);
        var best = arms[0].Id;
        var bestDraw = double.NegativeInfinity;
        foreach (var arm in arms)
        {
            var (a, b) = arm.Posterior;
            var draw = Beta.Sample(random, a, b);
            if (draw > bestDraw)
                (best, bestDraw) = (arm.Id, draw);
        }

        return best;
    }

    /// <summary>Each arm's posterior, with the probability that it is best estimated from <paramref name="draws"/> joint draws (seeded: stable).</summary>
    public static IReadOnlyList<ArmPosterior> Describe(IReadOnlyList<Arm> arms, int draws = 20_000, int seed = 17)
    {
        var wins = new int[arms.Count];
        var random = new Random(seed);
        var dists = arms.Select(a => new Beta(a.Posterior.Alpha, a.Posterior.Beta, random)).ToArray();
        for (var d = 0; d < draws && arms.Count > 0; d++)
        {
            var best = 0;
            var bestDraw = double.NegativeInfinity;
            for (var i = 0; i < dists.Length; i++)
            {
                var x = dists[i].Sample();
                if (x > bestDraw)
                    (best, bestDraw) = (i, x);
            }

            wins[best]++;
        }

        return arms.Select((a, i) => new ArmPosterior(a.Id, a.Trials, a.Successes, dists[i].A, dists[i].B, dists[i].Mean,
            dists[i].InverseCumulativeDistribution(0.025), dists[i].InverseCumulativeDistribution(0.975), draws == 0 ? 0 : wins[i] / (double)draws)).ToList();
    }
}
