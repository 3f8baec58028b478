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

    /// <summary>Snapshots a segment keeps at most; taking one more prunes the oldest scheduled ones first, then the oldest manual ones.</summary>
    [Range(1, 1000)]
    public int SnapshotsKept { get; set; } = 30;

    /// <summary>
    /// How often each active dynamic segment whose criteria depend on time (relative dates, <c>days_*</c>, activity windows) is
    /// recomputed, so a contact leaves or enters when its moment passes, with no event; also how often the scheduler looks
    /// for due auto-refreshes.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan TimeSweepInterval { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// The share of its time a replica's scheduler spends in sweeps and scheduled refreshes: after a pass of d it waits
    /// d × (1 / share − 1) before the next, so many large time-dependent segments slow the sweep down (membership lags by
    /// their total pass time / share) instead of keeping PostgreSQL busy and the per-event path waiting behind them.
    /// </summary>
    [Range(0.01, 1.0)]
    public double SchedulerMaxShare { get; set; } = 0.25;
}
