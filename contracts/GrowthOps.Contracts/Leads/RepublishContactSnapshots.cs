namespace GrowthOps.Contracts.Leads;

/// <summary>
/// Asks Leads to publish a snapshot of every contact of <see cref="TenantId"/> (every tenant when null) as
/// <see cref="ContactSnapshotsPage"/>s of up to <see cref="PageSize"/> contacts, so a read model (Segments, Email) can
/// rebuild itself without reading Leads' database. Idempotent per <see cref="RequestId"/>.
/// </summary>
public record RepublishContactSnapshots(Guid RequestId, Guid? TenantId, int PageSize, string RequestedBy, DateTimeOffset RequestedAt);
