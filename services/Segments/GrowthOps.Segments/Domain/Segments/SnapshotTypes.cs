namespace GrowthOps.Segments.Domain.Segments;

/// <summary>How a snapshot was taken (the table's check says the same).</summary>
public static class SnapshotTypes
{
    public const string Manual = "manual";
    public const string Scheduled = "scheduled";
}
