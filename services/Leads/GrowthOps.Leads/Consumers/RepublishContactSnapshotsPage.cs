namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Publishes page <see cref="Page"/> of a <see cref="GrowthOps.Contracts.Leads.RepublishContactSnapshots"/> request for one
/// tenant, and asks for the next. Internal to Leads.
/// </summary>
public record RepublishContactSnapshotsPage(Guid RequestId, Guid TenantId, int PageSize, int Page);
