namespace GrowthOps.Contracts.Leads;

/// <summary>
/// One page of a <see cref="RepublishContactSnapshots"/> request: contacts of one tenant as they were at <see cref="AsOf"/>
/// (each with its <see cref="ContactSnapshot.Version"/>, so a consumer applying it next to live events keeps the newer
/// state). <see cref="Last"/> marks the tenant's last page; pages of a tenant are numbered from 1.
/// </summary>
public record ContactSnapshotsPage(
    Guid RequestId,
    Guid TenantId,
    int Page,
    bool Last,
    IReadOnlyList<ContactSnapshot> Contacts,
    DateTimeOffset AsOf);
