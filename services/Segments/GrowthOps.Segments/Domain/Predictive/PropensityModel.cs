namespace GrowthOps.Segments.Domain.Predictive;

/// <summary>
/// A tenant's last propensity training (<c>segments.propensity_models</c>): <see cref="Weights"/> (intercept first, then one
/// per <see cref="Features"/>) apply to the raw features of <see cref="PropensityFeatures"/>; null when the history was too
/// short to fit. A class so that Dapper maps the arrays.
/// </summary>
public sealed class PropensityModel
{
    public const string Trained = "trained";
    public const string InsufficientHistory = "insufficient_history";

    /// <summary>Never trained (not stored: what the API says until the first training).</summary>
    public const string Untrained = "untrained";

    public string Status { get; init; } = InsufficientHistory;
    public string[] Features { get; init; } = [];
    public double[]? Weights { get; init; }
    public int Won { get; init; }
    public int Lost { get; init; }
    public int TrainingContacts { get; init; }
    public int HeldOutContacts { get; init; }
    public double? Auc { get; init; }
    public string Reason { get; init; } = "";
    public DateTime? TrainedAt { get; set; }
}
