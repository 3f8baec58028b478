namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// A campaign as the wizard builds it (settings, audience, design) and as it is sent. <see cref="TemplateVersion"/> is what
/// the design asked for (null: the template's current version); <see cref="PinnedTemplateVersion"/> is the version the send
/// fixed, which every email of the campaign renders. A per-recipient schedule ("9:00 in each recipient's zone") has
/// <see cref="SendLocalDate"/> and <see cref="SendLocalTime"/>, <see cref="ScheduleTimezone"/> for recipients without a known
/// zone, and <see cref="ScheduledAt"/> the earliest recipient's instant.
/// </summary>
public sealed record Campaign(
    Guid Id,
    string Name,
    string Status,
    string? FromEmail,
    string? FromName,
    string? ReplyTo,
    string? Subject,
    string? Preheader,
    Guid? TemplateId,
    int? TemplateVersion,
    int? PinnedTemplateVersion,
    CampaignAudience Audience,
    DateTime? ScheduledAt,
    string? ScheduleTimezone,
    string? SendLocalTime,
    string? SendLocalDate,
    DateTime? StartedAt,
    DateTime? PausedAt,
    DateTime? CompletedAt,
    DateTime? CancelledAt,
    int RecipientsTotal,
    string? CreatedBy,
    DateTime CreatedAt,
    DateTime UpdatedAt);
