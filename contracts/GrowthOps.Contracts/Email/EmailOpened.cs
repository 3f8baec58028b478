namespace GrowthOps.Contracts.Email;

/// <summary>
/// The email was opened (the tracking pixel or Postmark's Open webhook). <see cref="First"/>: the first open of this
/// message (unique opens count those). <see cref="Bot"/>: a machine's prefetch (e.g. Apple Mail privacy protection, a
/// security scanner) as the provider flags it or the request shows — recorded, not counted as a human open.
/// </summary>
public record EmailOpened(
    Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, bool First, bool Bot, string? UserAgent,
    DateTimeOffset OccurredAt);
