namespace GrowthOps.Contracts.Email;

/// <summary>
/// The provider accepted one email (<see cref="MessageId"/> is Email's id of that send, the one every later event of it
/// carries). Published per message for sends that are not part of a campaign (transactional, test sends); a campaign's
/// sends are reported per batch in <see cref="EmailBatchSent"/>. <see cref="DryRun"/>: rendered and logged, not sent.
/// </summary>
public record EmailSent(
    Guid TenantId,
    Guid MessageId,
    Guid? ContactId,
    string Email,
    Guid? CampaignId,
    string? IdempotencyKey,
    Guid? CorrelationId,
    string Provider,
    string? ProviderMessageId,
    string Subject,
    bool DryRun,
    DateTimeOffset OccurredAt);
