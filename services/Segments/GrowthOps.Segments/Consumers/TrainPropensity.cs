namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Retrains the propensity model of <see cref="TenantId"/>, or of every tenant with won or lost contacts when null (the
/// recurring schedule sends that one, and it fans out one per tenant). Internal to Segments.
/// </summary>
public record TrainPropensity(Guid? TenantId);
