namespace GrowthOps.Contracts.Leads;

/// <summary>A contact's fields changed; <see cref="ChangedFields"/> names them (snake_case, as in the API).</summary>
public record ContactUpdated(Guid TenantId, ContactSnapshot Contact, IReadOnlyList<string> ChangedFields, DateTimeOffset OccurredAt);
