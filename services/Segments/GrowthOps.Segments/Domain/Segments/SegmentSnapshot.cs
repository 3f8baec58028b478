namespace GrowthOps.Segments.Domain.Segments;

/// <summary>A segment's members at one moment: <see cref="Type"/> <c>manual</c> (asked for) or <c>scheduled</c> (an auto-refresh's).</summary>
public sealed record SegmentSnapshot(Guid Id, Guid SegmentId, string Type, int MemberCount, DateTime TakenAt);
