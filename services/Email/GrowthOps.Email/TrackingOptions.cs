using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>Open and click tracking, Postmark webhooks and inbound replies (section <c>Email:Tracking</c>).</summary>
public sealed class TrackingOptions
{
    public const string Section = "Email:Tracking";

    /// <summary>
    /// A click this soon after the email was sent is a machine's (a mail server's link scanner follows every link on
    /// arrival); no person opens, reads and clicks within it.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan BotClickWindow { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Links longer than this stay as they are (untracked): the signed URL would outgrow what browsers and proxies take.</summary>
    [Range(100, 4000)]
    public int MaxTrackedUrlLength { get; set; } = 2000;

    /// <summary>How much of a reply's text <c>EmailReplied.Snippet</c> carries.</summary>
    [Range(0, 4000)]
    public int ReplySnippetLength { get; set; } = 500;
}
