using System.Text.Json;

namespace GrowthOps.Email.Data;

/// <summary>
/// One due email as a worker claimed it (its row locked until the batch's results are recorded), with what sending it needs:
/// the recipient's fields, its campaign's settings, which template version to render, and whether a gate stops it.
/// </summary>
public sealed record ClaimedEmail(
    Guid Id,
    short Lane,
    Guid? CampaignId,
    Guid? ContactId,
    string ToEmail,
    string Category,
    int Attempts,
    bool DryRun,
    string? IdempotencyKey,
    Guid? CorrelationId,
    Guid? TemplateId,
    int? TemplateVersion,
    string? Subject,
    string? Html,
    string? Text,
    string? MergeData,
    string? FromEmail,
    string? FromName,
    string? ReplyTo,
    string? CampaignName,
    bool Suppressed,
    bool NoConsent,
    string? RecipientEmail,
    string? FirstName,
    string? LastName,
    string? Company,
    string? Phone,
    string? Timezone,
    bool? MarketingConsent,
    string? Attributes)
{
    public IReadOnlyDictionary<string, JsonElement>? MergeValues =>
        MergeData is null ? null : JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(MergeData);
}
