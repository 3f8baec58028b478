namespace GrowthOps.Contracts.Leads;

public record TagRemoved(Guid TenantId, Guid ContactId, string Tag, ContactSnapshot Contact, DateTimeOffset OccurredAt);
