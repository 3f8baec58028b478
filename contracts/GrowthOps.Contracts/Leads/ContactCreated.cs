namespace GrowthOps.Contracts.Leads;

public record ContactCreated(Guid TenantId, ContactSnapshot Contact, DateTimeOffset OccurredAt);
