namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// A campaign's statuses and the moves between them: draft → scheduled → sending ⇄ paused → sent, and cancelled from
/// scheduled, sending or paused. Only a draft is edited or deleted; the pipeline sends a campaign's emails only while it is
/// <see cref="Sending"/>.
/// </summary>
public static class CampaignStatuses
{
    public const string Draft = "draft";
    public const string Scheduled = "scheduled";
    public const string Sending = "sending";
    public const string Paused = "paused";
    public const string Sent = "sent";
    public const string Cancelled = "cancelled";

    public static readonly string[] All = [Draft, Scheduled, Sending, Paused, Sent, Cancelled];

    /// <summary>The statuses each action starts from.</summary>
    public static class From
    {
        public static readonly string[] Edit = [Draft];
        public static readonly string[] Delete = [Draft];
        public static readonly string[] Send = [Draft, Scheduled];
        public static readonly string[] Schedule = [Draft, Scheduled];
        public static readonly string[] Unschedule = [Scheduled];
        public static readonly string[] Pause = [Sending];
        public static readonly string[] Resume = [Paused];
        public static readonly string[] Cancel = [Scheduled, Sending, Paused];
    }
}
