namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>
/// A rebuild of the tenant's read model from Leads' snapshot pages. <see cref="RequestedAt"/> and <see cref="RequestedBy"/>
/// are null for one asked for on the bus by someone else (an operator, another service). <see cref="Tombstoned"/>: contacts
/// it found deleted in Leads (in no page), once <see cref="CompletedAt"/> is set.
/// </summary>
public sealed record Rebuild(
    Guid RequestId,
    string? RequestedBy,
    DateTimeOffset? RequestedAt,
    int? PageSize,
    int PagesReceived,
    int? LastPage,
    long Contacts,
    DateTimeOffset? AsOf,
    DateTimeOffset? LastPageAt,
    DateTimeOffset? CompletedAt,
    int? Tombstoned);
