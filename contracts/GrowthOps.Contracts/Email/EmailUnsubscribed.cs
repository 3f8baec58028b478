namespace GrowthOps.Contracts.Email;

/// <summary>
/// An address opted out of marketing email (the signed unsubscribe link, the RFC 8058 one-click POST, or the provider's
/// SubscriptionChange webhook); Leads clears the contact's marketing consent. <see cref="MessageId"/> and
/// <see cref="CampaignId"/>: the email it came from, when known. <see cref="Source"/>: <c>link</c>, <c>one_click</c>,
/// <c>provider</c>, <c>manual</c>.
/// </summary>
public record EmailUnsubscribed(
    Guid TenantId, Guid? MessageId, Guid? ContactId, string Email, Guid? CampaignId, string Source, DateTimeOffset OccurredAt);
