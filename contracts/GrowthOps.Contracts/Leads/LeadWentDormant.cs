namespace GrowthOps.Contracts.Leads;

/// <summary>The lifecycle saga saw no activity for the tenant's dormancy period and moved the lead to <c>dormant</c>.</summary>
public record LeadWentDormant(Guid TenantId, Guid ContactId, DateTimeOffset? LastActivityAt, DateTimeOffset OccurredAt);
