namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Retrains the AI score of <see cref="TenantId"/>, or of every tenant when null (the recurring schedule sends that one, and
/// it fans out one per tenant). Internal to Leads.
/// </summary>
public record TrainLeadScores(Guid? TenantId);
