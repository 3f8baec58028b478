using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments;

/// <summary>Segments settings (section <c>Segments</c>).</summary>
public sealed class SegmentsOptions
{
    public const string Section = "Segments";

    /// <summary>
    /// How many days of activities (with their metadata) the read model keeps for behavioural criteria; the longest
    /// <c>within_days</c> a criterion may ask for. Totals per activity type cover the whole history regardless.
    /// </summary>
    [Range(1, 3650)]
    public int ActivityRetentionDays { get; set; } = 365;

    /// <summary>Contacts per <c>ContactSnapshotsPage</c> a rebuild asks Leads for.</summary>
    [Range(1, 5000)]
    public int RebuildPageSize { get; set; } = 500;

    /// <summary>
    /// A completed rebuild tombstones the contacts none of its pages listed only if nothing was written to them here for
    /// this long before the rebuild began: a contact Leads committed just as it took the snapshot (so the page missed it)
    /// arrives by its own event, and clocks of different hosts disagree a little.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan RebuildDeletionGrace { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>A rebuild with no page for this long no longer counts as running: a new one may be asked for.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan RebuildStaleAfter { get; set; } = TimeSpan.FromMinutes(10);
}
