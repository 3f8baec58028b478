using System.Text.Json;

namespace GrowthOps.Contracts.Email;

/// <summary>
/// Send one email (Cortex workflows and sequences send it; <c>POST /api/email/messages</c> takes the same fields). The
/// recipient is a contact (<see cref="ContactId"/>, its email and merge fields from Email's read model) or a bare address
/// (<see cref="To"/>). Content is a template (<see cref="TemplateId"/>) or inline (<see cref="Subject"/>, <see cref="Html"/>,
/// <see cref="Text"/>), rendered with the contact's fields and <see cref="MergeData"/> (which wins). One send per
/// <see cref="IdempotencyKey"/> per tenant, ever. <see cref="Category"/>: <c>marketing</c> (needs consent, never to a
/// suppressed address), <c>transactional</c> (never to a suppressed address), <c>strictly_transactional</c> (password
/// resets: sent even to a suppressed address). <see cref="DryRun"/>: rendered and logged, never sent.
/// <see cref="RequestedBy"/> says who asked (<c>workflow:&lt;id&gt;:run:&lt;id&gt;</c>, <c>sequence:&lt;id&gt;</c>, <c>api:&lt;sub&gt;</c>);
/// the outcome events carry <see cref="CorrelationId"/> back.
/// </summary>
public record SendEmail(
    Guid TenantId,
    string IdempotencyKey,
    Guid? ContactId,
    string? To,
    Guid? TemplateId,
    string? Subject,
    string? Html,
    string? Text,
    IReadOnlyDictionary<string, JsonElement>? MergeData,
    string Category,
    bool DryRun,
    string RequestedBy,
    Guid? CorrelationId,
    DateTimeOffset OccurredAt,
    string? From = null,
    string? ReplyTo = null);
