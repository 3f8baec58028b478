namespace GrowthOps.Contracts.Leads;

public record ContactDeleted(Guid TenantId, Guid ContactId, string? Email, DateTimeOffset OccurredAt);
