using System.Text.Json.Serialization;

namespace GrowthOps.Email.Data;

/// <summary>
/// One email as its sender sees it: what was asked (recipient, category, content reference, idempotency key), where it is
/// (<see cref="Status"/>: queued, sent, failed, suppressed, cancelled, dry_run), what the provider said, and — on a single
/// message — what happened to it since (<see cref="Events"/>).
/// </summary>
public sealed record EmailMessage(
    Guid Id,
    string Status,
    Guid? CampaignId,
    Guid? ContactId,
    string To,
    string Category,
    Guid? TemplateId,
    int? TemplateVersion,
    string? Subject,
    string? FromEmail,
    string? ReplyTo,
    bool DryRun,
    string? IdempotencyKey,
    string? RequestedBy,
    Guid? CorrelationId,
    int Attempts,
    DateTime NotBefore,
    string? Provider,
    string? ProviderMessageId,
    string? ErrorCode,
    string? Error,
    DateTime CreatedAt,
    DateTime? SentAt,
    DateTime UpdatedAt)
{
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<EmailMessageEvent>? Events { get; init; }
}
