using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Domain.Deals;

/// <summary>
/// A deal body read member by member, so that PATCH tells an absent member (kept) from a null one (cleared); each bad member
/// becomes a field error. The same reading serves POST, whose required members are then checked.
/// </summary>
public static partial class DealFields
{
    public const int MaxName = 200;
    public const int MaxContacts = 100;
    public const int MaxExternalIds = 20;
    public const string DefaultCurrency = "USD";

    [GeneratedRegex("^[A-Z]{3}$")]
    private static partial Regex CurrencyPattern();

    public sealed record Parsed(DealBook.Changes Changes, Guid? PipelineId);

    public static Parsed Parse(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return new Parsed(Empty, null);
        }

        Guid? pipelineId = null;
        var changes = Empty;
        foreach (var member in body.EnumerateObject())
        {
            var v = member.Value;
            switch (member.Name)
            {
                case "name":
                    changes = changes with { Name = new(Text(v, "name", MaxName, errors, required: true)) };
                    break;
                case "amount":
                    changes = changes with { Amount = new(Amount(v, errors)) };
                    break;
                case "currency":
                    var currency = Text(v, "currency", 3, errors, required: true)?.ToUpperInvariant();
                    if (currency is not null && !CurrencyPattern().IsMatch(currency))
                        errors["currency"] = ["an ISO 4217 code such as EUR"];
                    changes = changes with { Currency = new(currency) };
                    break;
                case "pipeline_id":
                    if (v.ValueKind == JsonValueKind.String && v.TryGetGuid(out var p))
                        pipelineId = p;
                    else
                        errors["pipeline_id"] = ["a pipeline id"];
                    break;
                case "stage":
                    changes = changes with { Stage = new(Text(v, "stage", MaxStateReference, errors, required: true)) };
                    break;
                case "owner_id":
                    changes = changes with { OwnerId = new(Text(v, "owner_id", MaxText, errors)) };
                    break;
                case "expected_close_date":
                    changes = changes with { ExpectedCloseDate = new(Date(v, errors)) };
                    break;
                case "source":
                    changes = changes with { Source = new(Text(v, "source", MaxText, errors)) };
                    break;
                case "channel":
                    changes = changes with { Channel = new(Text(v, "channel", MaxText, errors)) };
                    break;
                case "attributes":
                    changes = changes with { Attributes = new(Attributes(v, errors)) };
                    break;
                case "external_ids":
                    changes = changes with { ExternalIds = new(ExternalIds(v, errors)) };
                    break;
                case "contact_ids":
                    changes = changes with { ContactIds = new(ContactIds(v, errors)) };
                    break;
                default:
                    errors[member.Name] = ["is no field of a deal"];
                    break;
            }
        }
        return new Parsed(changes, pipelineId);
    }

    /// <summary>A new deal from a parsed body: a name is required; the currency defaults to <see cref="DefaultCurrency"/>.</summary>
    public static DealBook.Draft? Draft(Parsed parsed, Dictionary<string, string[]> errors)
    {
        var c = parsed.Changes;
        if (c.Name.Value is null)
            errors.TryAdd("name", ["required"]);
        if (errors.Count > 0)
            return null;
        return new DealBook.Draft(c.Name.Value!, c.Amount.Value, c.Currency.Value ?? DefaultCurrency, parsed.PipelineId, c.Stage.Value, c.OwnerId.Value,
            c.ExpectedCloseDate.Value, c.Source.Value, c.Channel.Value, c.Attributes.Value, c.ExternalIds.Value, c.ContactIds.Value ?? []);
    }

    static readonly DealBook.Changes Empty = new(default, default, default, default, default, default, default, default, default, default, default);

    static string? Text(JsonElement v, string field, int max, Dictionary<string, string[]> errors, bool required = false)
    {
        if (v.ValueKind == JsonValueKind.Null && !required)
            return null;
        if (v.ValueKind != JsonValueKind.String || v.GetString()!.Trim() is not { Length: > 0 } text)
        {
            errors[field] = [required ? "a non-empty string" : "a non-empty string or null"];
            return null;
        }
        if (text.Length > max)
            errors[field] = [$"at most {max} characters"];
        return text;
    }

    static decimal? Amount(JsonElement v, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Number || !v.TryGetDecimal(out var amount) || amount < 0)
        {
            errors["amount"] = ["a number of at least 0, or null"];
            return null;
        }
        return amount;
    }

    static DateOnly? Date(JsonElement v, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind == JsonValueKind.String
            && DateOnly.TryParseExact(v.GetString(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
            return date;
        errors["expected_close_date"] = ["a date (yyyy-MM-dd) or null"];
        return null;
    }

    static IReadOnlyDictionary<string, JsonElement>? Attributes(JsonElement v, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Object)
        {
            errors["attributes"] = ["an object or null"];
            return null;
        }
        var values = v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.Clone());
        if (values.Count > MaxAttributes || values.Keys.Any(k => k.Length > MaxMemberName) || v.GetRawText().Length > MaxAttributesBytes)
            errors["attributes"] = [$"at most {MaxAttributes} members, names of at most {MaxMemberName} characters, {MaxAttributesBytes / 1024} KiB"];
        return values;
    }

    static IReadOnlyDictionary<string, string>? ExternalIds(JsonElement v, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.Null)
            return null;
        if (v.ValueKind != JsonValueKind.Object || v.EnumerateObject().Any(p => p.Value.ValueKind != JsonValueKind.String || p.Value.GetString()!.Length is 0 or > MaxText)
            || v.EnumerateObject().Count() > MaxExternalIds)
        {
            errors["external_ids"] = [$"an object of at most {MaxExternalIds} non-empty strings ({{\"hubspot\": \"123\"}}), or null"];
            return null;
        }
        return v.EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    static IReadOnlyList<Guid>? ContactIds(JsonElement v, Dictionary<string, string[]> errors)
    {
        if (v.ValueKind == JsonValueKind.Null)
            return null;
        var ids = new List<Guid>();
        var valid = v.ValueKind == JsonValueKind.Array;
        if (valid)
            foreach (var item in v.EnumerateArray())
                if (item.ValueKind == JsonValueKind.String && item.TryGetGuid(out var id))
                    ids.Add(id);
                else
                    valid = false;
        if (!valid || ids.Count > MaxContacts)
        {
            errors["contact_ids"] = [$"an array of at most {MaxContacts} contact ids, or null"];
            return null;
        }
        return ids;
    }
}
