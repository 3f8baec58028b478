namespace GrowthOps.Segments.Domain.Stats;

/// <summary>
/// A segment's members over a window: how many it had at the start (today's count less what entered plus what left since),
/// and growth ((entered − exited) / start) and churn (exited / start) in percent; null when it started empty.
/// </summary>
public sealed record SegmentGrowth(Guid SegmentId, string Name, string Type, string Status, int MemberCount, int MembersAtStart, int Entered,
    int Exited, double? GrowthRate, double? ChurnRate)
{
    public static SegmentGrowth Of(Guid segmentId, string name, string type, string status, int memberCount, int entered, int exited)
    {
        // Members that entered before the counters existed and left in the window could make it negative.
        var start = Math.Max(0, memberCount - entered + exited);
        return new(segmentId, name, type, status, memberCount, start, entered, exited,
            start == 0 ? null : 100.0 * (entered - exited) / start, start == 0 ? null : 100.0 * exited / start);
    }
}
