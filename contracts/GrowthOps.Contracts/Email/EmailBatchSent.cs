namespace GrowthOps.Contracts.Email;

/// <summary>One batch of a campaign's sends that the provider accepted (at most 500 emails): one message instead of 500.</summary>
public record EmailBatchSent(
    Guid TenantId,
    Guid CampaignId,
    IReadOnlyList<SentEmail> Emails,
    DateTimeOffset OccurredAt);

/// <summary>One email of an <see cref="EmailBatchSent"/>.</summary>
public record SentEmail(Guid MessageId, Guid? ContactId, string Email, string? ProviderMessageId);
