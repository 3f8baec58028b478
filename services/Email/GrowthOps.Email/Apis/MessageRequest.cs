using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.Email.Domain.Transactional;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Apis;

/// <summary>
/// <c>POST /api/email/messages</c>: the fields of the <c>SendEmail</c> command. The recipient is <c>contact_id</c> (its address and
/// merge fields from Email's read model), <c>to</c> (the contact with that address, if any, gives the merge fields), or both (the
/// address wins). Content is <c>template_id</c> (at <c>template_version</c>, else its current one) or inline <c>subject</c> and
/// <c>html</c> (with optional <c>text</c>).
/// </summary>
public sealed record MessageRequest(
    [property: Description("One send per key per tenant, ever (or the Idempotency-Key header). A repeat answers the same message with 200.")]
    [property: MaxLength(SendRequest.MaxKeyLength)] string? IdempotencyKey = null,
    Guid? ContactId = null,
    [property: MaxLength(EmailAddress.MaxLength)] string? To = null,
    Guid? TemplateId = null,
    [property: Range(1, int.MaxValue)] int? TemplateVersion = null,
    [property: MaxLength(MessageRequest.MaxSubject)] string? Subject = null,
    [property: MaxLength(MessageRequest.MaxBody)] string? Html = null,
    [property: MaxLength(MessageRequest.MaxBody)] string? Text = null,
    [property: Description("Merge fields for this send; they win over the contact's.")]
    [property: JsonLimits(MaxBytes = 64 * 1024, MaxDepth = 8, MaxProperties = 200, MaxKeyLength = 100)] Dictionary<string, JsonElement>? MergeData = null,
    [property: Description("marketing, transactional (the default) or strictly_transactional.")] string? Category = null,
    [property: Description("Rendered, logged and recorded with status dry_run; never sent.")] bool? DryRun = null,
    [property: MaxLength(EmailAddress.MaxLength)] string? From = null,
    [property: MaxLength(EmailAddress.MaxLength)] string? ReplyTo = null)
{
    public const int MaxSubject = 998;
    public const int MaxBody = 2 * 1024 * 1024;
}
