namespace GrowthOps.Contracts.Email;

/// <summary>
/// A send that will not go out: <see cref="Reason"/> is <c>suppressed</c>, <c>no_consent</c>, <c>no_address</c>,
/// <c>rejected</c> (the provider refused it for good: <see cref="ErrorCode"/> and <see cref="Error"/> say why),
/// <c>render_failed</c> or <c>gave_up</c> (transient failures until the retries ran out).
/// </summary>
public record EmailFailed(
    Guid TenantId,
    Guid MessageId,
    Guid? ContactId,
    string? Email,
    Guid? CampaignId,
    string? IdempotencyKey,
    Guid? CorrelationId,
    string Reason,
    string? ErrorCode,
    string? Error,
    DateTimeOffset OccurredAt);
