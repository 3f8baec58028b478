using System.Text.Json.Serialization;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// What drove a prediction. <see cref="EvidenceWeight"/> is the share of the estimate that comes from the tenant's own
/// transitions rather than the prior; <see cref="EngagementFactor"/> is what forward moves were multiplied (and exits
/// divided) by.
/// </summary>
public sealed record PredictionFeatures(
    string CurrentState,
    double DaysInState,
    double? DaysSinceLastActivity,
    [property: JsonPropertyName("activities_30d")] int Activities30d,
    int ObservedTransitionsFromState,
    double EvidenceWeight,
    string? PipelineNextState,
    double EngagementScore,
    double EngagementFactor);
