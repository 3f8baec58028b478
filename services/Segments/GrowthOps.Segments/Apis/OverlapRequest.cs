namespace GrowthOps.Segments.Apis;

/// <summary>Two different segments of the tenant.</summary>
public sealed record OverlapRequest(Guid? SegmentAId = null, Guid? SegmentBId = null);
