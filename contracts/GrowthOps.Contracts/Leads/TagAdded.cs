namespace GrowthOps.Contracts.Leads;

public record TagAdded(Guid TenantId, Guid ContactId, string Tag, ContactSnapshot Contact, DateTimeOffset OccurredAt);
