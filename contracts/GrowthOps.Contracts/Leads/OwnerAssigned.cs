namespace GrowthOps.Contracts.Leads;

/// <summary>A contact or a deal (<see cref="ObjectType"/> <c>contact</c> / <c>deal</c>) got an owner, by hand or by a round-robin group.</summary>
public record OwnerAssigned(Guid TenantId, string ObjectType, Guid ObjectId, string OwnerId, string? PreviousOwnerId, string? Group, string? AssignedBy,
    DateTimeOffset OccurredAt);
