using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Leads;

/// <summary>Leads settings (section <c>Leads</c>).</summary>
public sealed class LeadsOptions
{
    public const string Section = "Leads";

    /// <summary>Most activities accepted in one batch request (importers).</summary>
    [Range(1, 10_000)]
    public int MaxActivityBatch { get; set; } = 1000;

    /// <summary>How long a next-state prediction is served from cache.</summary>
    public TimeSpan PredictionCacheDuration { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Won and lost contacts a tenant needs (of each) before its AI score is calibrated on them; the default weights serve until then.</summary>
    [Range(2, 1_000_000)]
    public int ScoringMinOutcomes { get; set; } = 30;

    /// <summary>Most won/lost contacts one training reads (the latest outcomes).</summary>
    [Range(10, 1_000_000)]
    public int ScoringMaxTrainingContacts { get; set; } = 50_000;

    /// <summary>When every tenant's AI score is retrained (a Quartz cron expression, UTC), through the durable scheduler.</summary>
    [Required]
    public string ScoringTrainingCron { get; set; } = "0 30 3 * * ?";

    /// <summary>Base64 of a 32-byte key that encrypts integration secrets (HubSpot client secrets) at rest.</summary>
    [Required]
    public string SecretsKey { get; set; } = "";
}
