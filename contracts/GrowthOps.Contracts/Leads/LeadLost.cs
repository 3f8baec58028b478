namespace GrowthOps.Contracts.Leads;

public record LeadLost(Guid TenantId, Guid ContactId, Guid HistoryId, string? Notes, ContactSnapshot Contact, DateTimeOffset OccurredAt);
