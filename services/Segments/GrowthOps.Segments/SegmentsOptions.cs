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
}
