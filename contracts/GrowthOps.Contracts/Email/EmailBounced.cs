namespace GrowthOps.Contracts.Email;

/// <summary>
/// The email bounced. <see cref="Hard"/>: permanent (the address is suppressed from now on); otherwise soft (mailbox full,
/// greylisted…). <see cref="Type"/> is the provider's bounce type (Postmark: <c>HardBounce</c>, <c>SoftBounce</c>, …).
/// </summary>
public record EmailBounced(
    Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, bool Hard, string Type, string? Description,
    DateTimeOffset OccurredAt);
