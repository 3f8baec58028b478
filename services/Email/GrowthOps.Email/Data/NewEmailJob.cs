using System.Text.Json;

namespace GrowthOps.Email.Data;

/// <summary>
/// One email to queue outside a campaign (a transactional send, a template's test send). Content is a template
/// (<see cref="TemplateId"/>, at <see cref="TemplateVersion"/> or its current one) or inline.
/// </summary>
public sealed record NewEmailJob(
    Guid Id,
    string ToEmail,
    Guid? ContactId,
    string Category,
    Guid? TemplateId,
    int? TemplateVersion,
    string? Subject,
    string? Html,
    string? Text,
    IReadOnlyDictionary<string, JsonElement>? MergeData,
    string? FromEmail,
    string? ReplyTo,
    string? IdempotencyKey,
    string RequestedBy,
    Guid? CorrelationId,
    bool DryRun,
    DateTimeOffset? NotBefore = null);
