namespace GrowthOps.Contracts.Segments;

/// <summary>
/// What one set-based pass over a segment (created, criteria edited, refreshed, bulk static change) changed, in batches of
/// at most 1,000 contacts per message (<see cref="Entered"/> and <see cref="Exited"/> together): <see cref="Batch"/> of
/// <see cref="Batches"/> of pass <see cref="PassId"/>. <see cref="Reason"/>: <c>created</c>, <c>criteria_changed</c>,
/// <c>refresh</c>, <c>scheduled_refresh</c> (an auto-refresh), <c>time_elapsed</c> (time alone moved a relative-date criterion),
/// <c>predicted_conversion</c> (a propensity training moved the predictions a criterion reads), <c>added</c>, <c>removed</c>.
/// </summary>
public record SegmentMembershipBatchChanged(
    Guid TenantId,
    Guid SegmentId,
    string SegmentName,
    Guid PassId,
    int Batch,
    int Batches,
    IReadOnlyList<Guid> Entered,
    IReadOnlyList<Guid> Exited,
    string Reason,
    DateTimeOffset OccurredAt);
