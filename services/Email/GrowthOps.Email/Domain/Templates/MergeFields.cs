using System.Text.Json;
using GrowthOps.Email.Domain.Unsubscribing;

namespace GrowthOps.Email.Domain.Templates;

/// <summary>
/// The model a template is rendered with: the recipient's fields under their snake_case names (<c>first_name</c>,
/// <c>last_name</c>, <c>name</c>, <c>company</c>, <c>email</c>, <c>phone</c>, <c>timezone</c>), every custom attribute by
/// its own name (and under <c>attributes</c>), then the send's merge data, which wins over both.
/// </summary>
public static class MergeFields
{
    public static Dictionary<string, object?> For(Recipient? recipient, string email, IReadOnlyDictionary<string, JsonElement>? mergeData)
    {
        var model = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (recipient is not null)
        {
            foreach (var (key, value) in recipient.Attributes)
                model[key] = value;
            model["attributes"] = recipient.Attributes;
            model["first_name"] = recipient.FirstName;
            model["last_name"] = recipient.LastName;
            model["name"] = string.Join(' ', new[] { recipient.FirstName, recipient.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)));
            model["company"] = recipient.Company;
            model["phone"] = recipient.Phone;
            model["timezone"] = recipient.Timezone;
            model["contact_id"] = recipient.ContactId;
        }
        model["email"] = email;
        // Rendered as the marker the unsubscribe decorator replaces with the signed link of each email.
        model[UnsubscribeLinks.MergeField] = UnsubscribeLinks.Placeholder;
        if (mergeData is not null)
            foreach (var (key, value) in mergeData)
                model[key] = value;
        return model;
    }
}

/// <summary>A recipient as the read model holds it (what merge fields and sending read).</summary>
public sealed record Recipient(
    Guid ContactId,
    string? Email,
    string? FirstName,
    string? LastName,
    string? Company,
    string? Phone,
    string? Timezone,
    bool MarketingConsent,
    IReadOnlyDictionary<string, JsonElement> Attributes);
