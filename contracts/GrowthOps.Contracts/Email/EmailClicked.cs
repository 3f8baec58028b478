namespace GrowthOps.Contracts.Email;

/// <summary>A link in the email was followed (the click redirect or Postmark's Click webhook); <see cref="Bot"/> as for opens.</summary>
public record EmailClicked(
    Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, string Url, bool First, bool Bot, string? UserAgent,
    DateTimeOffset OccurredAt);
