using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>Postmark's API, and the platform's own Postmark server when <c>Email:Providers:Default</c> is <c>postmark</c> (section <c>Email:Postmark</c>).</summary>
public sealed class PostmarkOptions
{
    public const string Section = "Email:Postmark";

    [Required, Url]
    public string BaseUrl { get; set; } = "https://api.postmarkapp.com";

    /// <summary>The platform's server token (only needed when Postmark is the default).</summary>
    public string? ServerToken { get; set; }

    /// <summary>The stream of transactional email.</summary>
    [Required]
    public string MessageStream { get; set; } = "outbound";

    /// <summary>The stream of marketing email: Postmark keeps bulk mail out of transactional streams.</summary>
    [Required]
    public string BroadcastStream { get; set; } = "broadcast";

    /// <summary>How long one batch call may take; the pipeline retries a timed-out batch itself.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}
