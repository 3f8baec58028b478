namespace GrowthOps.Segments.Domain.Overlaps;

/// <summary>
/// How two segments' current members overlap: |A∩B|, |A|, |B|, |A∪B|, Jaccard (|A∩B| / |A∪B|, 0 when both are empty) and
/// |A∩B| as a percentage of each (0 for an empty one).
/// </summary>
public sealed record SegmentOverlap(Guid SegmentAId, Guid SegmentBId, int IntersectionCount, int ACount, int BCount, int UnionCount, double Jaccard,
    double PercentOfA, double PercentOfB, DateTime ComputedAt)
{
    /// <summary>The same overlap with <paramref name="segmentId"/> as A (stored pairs have the smaller id first).</summary>
    public SegmentOverlap From(Guid segmentId) => segmentId == SegmentAId ? this
        : this with { SegmentAId = SegmentBId, SegmentBId = SegmentAId, ACount = BCount, BCount = ACount, PercentOfA = PercentOfB, PercentOfB = PercentOfA };
}
