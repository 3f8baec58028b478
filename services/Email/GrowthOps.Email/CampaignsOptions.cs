using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>The campaign scheduler (section <c>Email:Campaigns</c>).</summary>
public sealed class CampaignsOptions
{
    public const string Section = "Email:Campaigns";

    /// <summary>How often the scheduler looks for due campaigns (scheduled fan-outs and completion checks) when it found none.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often a sending campaign is checked for completion (no queued email left → sent).</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CompletionCheckInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A claimed campaign whose work did not finish (it failed, or its process died) is claimed again this much later.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "01:00:00")]
    public TimeSpan ClaimRetryAfter { get; set; } = TimeSpan.FromMinutes(1);
}
