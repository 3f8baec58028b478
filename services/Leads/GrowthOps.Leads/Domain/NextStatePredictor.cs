namespace GrowthOps.Leads.Domain;

/// <summary>
/// The next-state model (<c>markov-v1</c>), pure so it can be tested and measured on synthetic histories.
/// <list type="number">
/// <item>A first-order Markov chain over the tenant's own history: how often its leads moved from the current state to
/// each allowed target. Only allowed targets take part (moves whose rule has since been removed are ignored).</item>
/// <item>Dirichlet (additive) smoothing with a prior mass of <see cref="PriorStrength"/> pseudo-counts per target, spread
/// so the pipeline's next step weighs 4, other forward steps 2 and exits 1: unseen moves keep some probability, and a
/// tenant without history still gets a sensible answer (the next pipeline step).</item>
/// <item>An engagement adjustment: a contact recently and often active has its forward moves multiplied by up to
/// <see cref="MaxEngagementFactor"/> and its exits divided by it; an idle one the other way round. Renormalised.</item>
/// </list>
/// Confidence is the top probability times the evidence weight n/(n + prior mass): zero when the answer is pure prior.
/// </summary>
public sealed class NextStatePredictor
{
    public const string ModelName = "markov-v1";

    const double NextStepWeight = 4, ForwardWeight = 2, ExitWeight = 1;
    const double RecencyShare = 0.6;

    public static NextStatePredictor Default { get; } = new();

    /// <summary>Prior pseudo-counts per allowed target; must be positive.</summary>
    public double PriorStrength { get; init; } = 1.0;

    /// <summary>The most engagement multiplies a forward move by (or an exit, when idle); 1 switches the adjustment off.</summary>
    public double MaxEngagementFactor { get; init; } = 2.0;

    /// <summary>Days without activity after which recency counts half.</summary>
    public double RecencyHalfLifeDays { get; init; } = 14;

    /// <summary>Activities in 30 days that make the volume score one half.</summary>
    public double VolumeHalfSaturation { get; init; } = 3;

    /// <param name="History">The tenant's transition counts (from, to) → moves; only rows out of the current state are read.</param>
    /// <param name="DaysSinceLastActivity">Null when the contact has never been active: its time in the state stands in.</param>
    public sealed record Input(
        PredictionCandidate Current,
        IReadOnlyList<PredictionCandidate> Targets,
        IReadOnlyDictionary<(Guid From, Guid To), int> History,
        double DaysInState,
        double? DaysSinceLastActivity,
        int Activities30d);

    public sealed record Result(PredictionCandidate Predicted, IReadOnlyList<PredictionProbability> Probabilities, double Confidence,
        PredictionFeatures Features);

    public Result Predict(Input input)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(PriorStrength);
        var targets = input.Targets.Where(t => t.Id != input.Current.Id).DistinctBy(t => t.Id).ToList();
        if (targets.Count == 0)
            throw new ArgumentException("There must be at least one allowed target.", nameof(input));

        var observed = targets.Select(t => input.History.GetValueOrDefault((input.Current.Id, t.Id))).ToArray();
        double n = observed.Sum();

        var next = PipelineNext(input.Current, targets);
        var weights = targets.Select(t => t.IsExit ? ExitWeight : t.Id == next?.Id ? NextStepWeight : ForwardWeight).ToArray();
        var priorMass = PriorStrength * targets.Count;
        var weightSum = weights.Sum();
        var posterior = targets.Select((_, i) => (observed[i] + priorMass * weights[i] / weightSum) / (n + priorMass)).ToArray();

        var engagement = EngagementScore(input.DaysInState, input.DaysSinceLastActivity, input.Activities30d);
        var factor = EngagementFactor(engagement);
        var adjusted = targets.Select((t, i) => posterior[i] * (t.IsExit ? 1 / factor : factor)).ToArray();
        var total = adjusted.Sum();

        var probabilities = targets.Select((t, i) => (Target: t, P: new PredictionProbability(t.Id, t.Name, adjusted[i] / total, observed[i])))
            .OrderByDescending(x => x.P.Probability).ThenBy(x => x.Target.Position).ThenBy(x => x.Target.Name, StringComparer.Ordinal)
            .ToList();
        var evidence = n / (n + priorMass);
        var features = new PredictionFeatures(input.Current.Name, Round(input.DaysInState), input.DaysSinceLastActivity is { } d ? Round(d) : null,
            input.Activities30d, (int)n, Round(evidence), next?.Name, Round(engagement), Round(factor));
        return new Result(probabilities[0].Target, probabilities.Select(x => x.P).ToList(), probabilities[0].P.Probability * evidence, features);
    }

    /// <summary>
    /// The pipeline's next step from <paramref name="current"/>: of the targets that are not exits, the lowest position above
    /// the current one; failing that (a re-engagement state such as dormant) the lowest position; null when all are exits.
    /// </summary>
    public static PredictionCandidate? PipelineNext(PredictionCandidate current, IEnumerable<PredictionCandidate> targets)
    {
        var forward = targets.Where(t => !t.IsExit && t.Id != current.Id).OrderBy(t => t.Position).ThenBy(t => t.Name, StringComparer.Ordinal).ToList();
        return forward.FirstOrDefault(t => t.Position > current.Position) ?? forward.FirstOrDefault();
    }

    /// <summary>0 (long idle, no activity) … 1 (active today, many activities): recency decays by half-lives, volume saturates.</summary>
    public double EngagementScore(double daysInState, double? daysSinceLastActivity, int activities30d)
    {
        var idleDays = Math.Max(0, daysSinceLastActivity ?? daysInState);
        var recency = Math.Pow(0.5, idleDays / RecencyHalfLifeDays);
        var volume = 1 - Math.Pow(0.5, Math.Max(0, activities30d) / VolumeHalfSaturation);
        return RecencyShare * recency + (1 - RecencyShare) * volume;
    }

    /// <summary>Neutral at an engagement score of ½, <see cref="MaxEngagementFactor"/> at 1 and its inverse at 0.</summary>
    public double EngagementFactor(double engagementScore) => Math.Pow(MaxEngagementFactor, 2 * engagementScore - 1);

    static double Round(double value) => Math.Round(value, 4);
}
