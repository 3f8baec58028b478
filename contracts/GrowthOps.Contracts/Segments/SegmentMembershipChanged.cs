namespace GrowthOps.Contracts.Segments;

/// <summary>
/// A contact entered or left a segment as one of its changes was applied (per event). <see cref="Change"/> is
/// <c>entered</c> or <c>exited</c>; <see cref="Reason"/> says what caused it (<c>contact_updated</c>, <c>activity</c>,
/// <c>deleted</c>, <c>added</c>, <c>removed</c>).
/// </summary>
public record SegmentMembershipChanged(
    Guid TenantId,
    Guid SegmentId,
    string SegmentName,
    Guid ContactId,
    string Change,
    string Reason,
    DateTimeOffset OccurredAt);
