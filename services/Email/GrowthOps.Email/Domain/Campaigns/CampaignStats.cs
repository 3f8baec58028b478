namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// What a campaign's emails did. Unique counts are emails (one per recipient), totals are events; opens and clicks are
/// people's only (a provider's or scanner's prefetch, <c>bot</c>, is counted apart). <see cref="DeliveryRate"/> and
/// <see cref="BounceRate"/> are over <see cref="Sent"/>; the engagement rates are over the emails that reached a mailbox,
/// sent minus bounced (what Mailchimp calls successful deliveries), which does not depend on the provider reporting
/// deliveries (SMTP does not); <see cref="ClickToOpenRate"/> is unique clicks over unique opens. Rates are 0 with nothing to divide by.
/// </summary>
public sealed record CampaignStats(
    Guid CampaignId,
    int Sent,
    int Delivered,
    int UniqueOpens,
    int TotalOpens,
    int BotOpens,
    int UniqueClicks,
    int TotalClicks,
    int BotClicks,
    int Bounced,
    int Complained,
    int Unsubscribed,
    int Replied,
    double DeliveryRate,
    double BounceRate,
    double OpenRate,
    double ClickRate,
    double ClickToOpenRate,
    double ComplaintRate,
    double UnsubscribeRate,
    double ReplyRate,
    IReadOnlyList<LinkClicks> Links);
