using System.Text.Json;
using GrowthOps.Contracts.Email;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Email.Domain.Transactional;

/// <summary>
/// One send as <c>POST /api/email/messages</c> and the <see cref="SendEmail"/> command both ask for it: a recipient (a contact,
/// an address, or both — the address then wins over the contact's), a template or inline content, merge data, a category and
/// the idempotency key that makes it one send, ever.
/// </summary>
public sealed record SendRequest(
    string? IdempotencyKey,
    Guid? ContactId,
    string? To,
    Guid? TemplateId,
    int? TemplateVersion,
    string? Subject,
    string? Html,
    string? Text,
    IReadOnlyDictionary<string, JsonElement>? MergeData,
    string? Category,
    bool DryRun,
    string? From,
    string? ReplyTo,
    string RequestedBy,
    Guid? CorrelationId)
{
    public const int MaxKeyLength = 255;

    /// <summary>The category when none is given.</summary>
    public string CategoryOrDefault => Category ?? EmailCategories.Transactional;

    public static SendRequest Of(SendEmail command) => new(command.IdempotencyKey, command.ContactId, command.To, command.TemplateId, null,
        command.Subject, command.Html, command.Text, command.MergeData, command.Category, command.DryRun, command.From, command.ReplyTo,
        command.RequestedBy, command.CorrelationId);

    /// <summary>What is wrong with the request's shape, by snake_case field; empty when nothing is.</summary>
    public Dictionary<string, string[]> Errors()
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(IdempotencyKey))
            errors["idempotency_key"] = ["is required (in the body or the Idempotency-Key header): one send per key, ever"];
        else if (IdempotencyKey.Length > MaxKeyLength)
            errors["idempotency_key"] = [$"is longer than {MaxKeyLength} characters"];
        if (ContactId is null && To is null)
            errors["to"] = ["give contact_id or to"];
        if (ContactId == Guid.Empty)
            errors["contact_id"] = ["is not a contact id"];
        foreach (var (field, value) in new[] { ("to", To), ("from", From), ("reply_to", ReplyTo) })
            if (value is not null && !EmailAddress.TryParse(value, out _, out var problem))
                errors[field] = [problem];
        if (TemplateId is not null)
        {
            if (Subject is not null || Html is not null || Text is not null)
                errors["template_id"] = ["give template_id or inline subject/html/text, not both"];
            if (TemplateVersion is < 1)
                errors["template_version"] = ["must be 1 or more"];
        }
        else
        {
            if (TemplateVersion is not null)
                errors["template_version"] = ["goes with template_id"];
            if (string.IsNullOrWhiteSpace(Subject))
                errors["subject"] = ["is required without template_id"];
            if (string.IsNullOrWhiteSpace(Html))
                errors["html"] = ["is required without template_id (text is derived from it when not given)"];
        }

        if (Category is not null && !EmailCategories.All.Contains(Category))
            errors["category"] = [$"one of {string.Join(", ", EmailCategories.All)}"];
        return errors;
    }
}
