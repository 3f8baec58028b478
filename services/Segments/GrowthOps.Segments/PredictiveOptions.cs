using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments;

/// <summary>Predictive segments' settings (section <c>Segments:Predictive</c>): the propensity model and refinement.</summary>
public sealed class PredictiveOptions
{
    public const string Section = "Segments:Predictive";

    /// <summary>Won and as many lost contacts a propensity model needs; with fewer, <c>predicted_conversion</c> stays null.</summary>
    [Range(2, 100_000)]
    public int MinOutcomes { get; set; } = 30;

    /// <summary>Most won/lost contacts one training, or one refinement, reads (the latest outcomes).</summary>
    [Range(10, 1_000_000)]
    public int MaxTrainingContacts { get; set; } = 50_000;

    /// <summary>How many of the tenant's most common activity types become features (count and recency each).</summary>
    [Range(0, 20)]
    public int ActivityTypes { get; set; } = 5;

    /// <summary>When every tenant's propensity model is retrained (a Quartz cron expression, UTC), through the durable scheduler.</summary>
    [Required]
    public string TrainingCron { get; set; } = "0 45 3 * * ?";

    /// <summary>Won and as many lost members a segment's refinement needs.</summary>
    [Range(2, 100_000)]
    public int RefinementMinOutcomes { get; set; } = 20;
}
