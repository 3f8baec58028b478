namespace GrowthOps.Contracts.Segments;

/// <summary>
/// Commands to Segments (from workflows' add_to_segment / remove_from_segment): a contact into or out of a static segment.
/// <see cref="CommandId"/> makes each idempotent (the inbox and the membership row); a refused one is answered with
/// <see cref="SegmentCommandFailed"/>, a done one with the usual <see cref="SegmentMembershipChanged"/> (none when nothing changed).
/// </summary>
public record AddToSegment(Guid TenantId, Guid CommandId, Guid SegmentId, Guid ContactId, string RequestedBy, DateTimeOffset OccurredAt);

public record RemoveFromSegment(Guid TenantId, Guid CommandId, Guid SegmentId, Guid ContactId, string RequestedBy, DateTimeOffset OccurredAt);

/// <summary>
/// A segment command Segments refused: <see cref="Reason"/> is <c>segment_not_found</c>, <c>segment_dynamic</c> (its criteria
/// decide its members) or <c>contact_not_found</c>.
/// </summary>
public record SegmentCommandFailed(Guid TenantId, Guid CommandId, string Command, Guid SegmentId, Guid ContactId, string RequestedBy, string Reason,
    string Message, DateTimeOffset OccurredAt);
