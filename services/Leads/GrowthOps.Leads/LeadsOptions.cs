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

    /// <summary>Base64 of a 32-byte key that encrypts integration secrets (HubSpot client secrets) at rest.</summary>
    [Required]
    public string SecretsKey { get; set; } = "";
}
