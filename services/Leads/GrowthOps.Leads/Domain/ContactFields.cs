using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Leads.Apis;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Contact fields as a client sends them. For create, absent fields keep their defaults (or, when the email already exists,
/// the stored values); for PATCH, a field present with null clears it.
/// </summary>
public sealed partial class ContactFields
{
    public Optional<string?> Email { get; set; }
    public Optional<string?> Kind { get; set; }
    public Optional<string?> FirstName { get; set; }
    public Optional<string?> LastName { get; set; }
    public Optional<string?> Phone { get; set; }
    public Optional<string?> Company { get; set; }
    public Optional<string?> Source { get; set; }
    public Optional<string?> Channel { get; set; }
    public Optional<string?> OwnerId { get; set; }
    public Optional<int?> Score { get; set; }
    public Optional<string?> Timezone { get; set; }
    public Optional<bool?> MarketingConsent { get; set; }
    public Optional<bool?> EmailVerified { get; set; }
    public Optional<Dictionary<string, JsonElement>?> Attributes { get; set; }
    public Optional<string[]?> Tags { get; set; }

    public ContactFields Copy() => (ContactFields)MemberwiseClone();

    [GeneratedRegex(@"^[a-z0-9][a-z0-9_\-:.]{0,63}$")]
    private static partial Regex TagPattern();

    public static string? NormalizeTag(string? tag) => tag?.Trim().ToLowerInvariant();

    public static bool IsValidTag(string? tag) => tag is not null && TagPattern().IsMatch(tag);

    /// <summary>
    /// Reads a JSON object; unknown members are ignored, wrongly typed ones and those over their limits
    /// (<see cref="ContactRequest"/>) are errors. API bodies and HubSpot's values alike come through here.
    /// </summary>
    public static ContactFields Parse(JsonElement body, Dictionary<string, string[]> errors)
    {
        var fields = new ContactFields();
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return fields;
        }

        if (!RequestLimits.Check<ContactRequest>(body, errors))
            return fields;

        foreach (var property in body.EnumerateObject())
        {
            var v = property.Value;
            switch (property.Name)
            {
                case "email": fields.Email = Text(property.Name, v, errors); break;
                case "kind": fields.Kind = Text(property.Name, v, errors); break;
                case "first_name": fields.FirstName = Text(property.Name, v, errors); break;
                case "last_name": fields.LastName = Text(property.Name, v, errors); break;
                case "phone": fields.Phone = Text(property.Name, v, errors); break;
                case "company": fields.Company = Text(property.Name, v, errors); break;
                case "source": fields.Source = Text(property.Name, v, errors); break;
                case "channel": fields.Channel = Text(property.Name, v, errors); break;
                case "owner_id": fields.OwnerId = Text(property.Name, v, errors); break;
                case "timezone": fields.Timezone = Text(property.Name, v, errors); break;
                case "score":
                    fields.Score = v.ValueKind switch
                    {
                        JsonValueKind.Null => new Optional<int?>(null),
                        JsonValueKind.Number when v.TryGetInt32(out var score) => new Optional<int?>(score),
                        _ => Error<int?>(errors, property.Name, "must be an integer"),
                    };
                    break;
                case "marketing_consent": fields.MarketingConsent = Flag(property.Name, v, errors); break;
                case "email_verified": fields.EmailVerified = Flag(property.Name, v, errors); break;
                case "attributes":
                    fields.Attributes = v.ValueKind switch
                    {
                        JsonValueKind.Object => new Optional<Dictionary<string, JsonElement>?>(
                            v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone())),
                        JsonValueKind.Null => new Optional<Dictionary<string, JsonElement>?>(null),
                        _ => Error<Dictionary<string, JsonElement>?>(errors, property.Name, "must be an object"),
                    };
                    break;
                case "tags":
                    fields.Tags = v.ValueKind switch
                    {
                        JsonValueKind.Array when v.EnumerateArray().All(t => t.ValueKind == JsonValueKind.String) =>
                            new Optional<string[]?>(v.EnumerateArray().Select(t => NormalizeTag(t.GetString())!).Distinct().ToArray()),
                        JsonValueKind.Null => new Optional<string[]?>(null),
                        _ => Error<string[]?>(errors, property.Name, "must be an array of strings"),
                    };
                    break;
            }
        }

        fields.Validate(errors);
        return fields;
    }

    /// <summary>
    /// What a new contact must have: an email (the directory's key, which creating again updates) or a phone, so that it can
    /// be found again and reached. Other fields alone (a first name) would make a contact nobody can tell from the next.
    /// </summary>
    public void RequireIdentity(Dictionary<string, string[]> errors)
    {
        if (Email.Or(null) is null && Phone.Or(null) is null)
            errors["email"] = ["is required unless a phone is given: a contact needs an email or a phone"];
    }

    void Validate(Dictionary<string, string[]> errors)
    {
        if (Email is { HasValue: true, Value: { } email } && !EmailAddress.TryParse(email, out _, out var problem))
            errors["email"] = [problem];
        if (Kind is { HasValue: true, Value: var kind } && kind is not ("lead" or "customer"))
            errors["kind"] = ["must be 'lead' or 'customer'"];
        if (Timezone is { HasValue: true, Value: { } tz } && !TimeZoneInfo.TryFindSystemTimeZoneById(tz, out _))
            errors["timezone"] = [$"'{tz}' is not a known IANA time zone"];
        if (Tags is { HasValue: true, Value: { } tags } && tags.FirstOrDefault(t => !IsValidTag(t)) is { } bad)
            errors["tags"] = [$"'{bad}' is not a valid tag (lower-case letters, digits, _ - : . ; up to 64)"];
        foreach (var (key, value) in Attributes is { HasValue: true, Value: { } attributes } ? attributes : [])
            if (JsonNumbers.FirstOutOfRange(value, $"attributes.{key}") is { } where)
                errors[where] = [JsonNumbers.OutOfRange];
    }

    static Optional<string?> Text(string name, JsonElement value, Dictionary<string, string[]> errors) => value.ValueKind switch
    {
        JsonValueKind.String => new Optional<string?>(value.GetString() is { } s && s.Trim().Length > 0 ? s.Trim() : null),
        JsonValueKind.Null => new Optional<string?>(null),
        _ => Error<string?>(errors, name, "must be a string"),
    };

    static Optional<bool?> Flag(string name, JsonElement value, Dictionary<string, string[]> errors) => value.ValueKind switch
    {
        JsonValueKind.True or JsonValueKind.False => new Optional<bool?>(value.GetBoolean()),
        JsonValueKind.Null => new Optional<bool?>(null),
        _ => Error<bool?>(errors, name, "must be true or false"),
    };

    static Optional<T> Error<T>(Dictionary<string, string[]> errors, string name, string message)
    {
        errors[name] = [message];
        return default;
    }
}
