namespace GrowthOps.Email.Data;

/// <summary>
/// An address nothing but strictly transactional mail is sent to. <see cref="Reason"/>: hard_bounce, spam_complaint,
/// unsubscribe, manual; <see cref="Source"/> says where it came from (api, import, link, one_click, a provider webhook).
/// </summary>
public sealed record Suppression(Guid Id, string Email, string Reason, string? Source, Guid? MessageId, Guid? CampaignId, string? CreatedBy,
    DateTime CreatedAt);
