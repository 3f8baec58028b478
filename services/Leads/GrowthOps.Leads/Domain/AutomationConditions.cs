using System.Globalization;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.ServiceDefaults;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// Conditions of a state automation over the contact snapshot carried by <see cref="LeadStateChanged"/>; all must hold.
/// Text compares case-insensitively; numbers compare as numbers when either side is a JSON number; <c>greater_than</c> and
/// <c>less_than</c> also compare ISO dates. A missing field fails every positive operator and passes every negated one.
/// <c>lead_state</c> is the state the change led to (the snapshot is taken after it).
/// </summary>
public static class AutomationConditions
{
    public const string AttributePrefix = "attributes.";
    public const int MaxConditions = 50;

    /// <summary>The longest field: <c>attributes.</c> and an attribute name.</summary>
    public const int MaxField = 11 + LeadsDefaults.MaxMemberName;

    public static readonly string[] Fields =
    [
        "email", "kind", "first_name", "last_name", "phone", "company", "source", "channel", "owner_id", "score", "timezone",
        "marketing_consent", "tags", "lead_state",
    ];

    public static readonly string[] Operators =
    [
        "equals", "not_equals", "contains", "not_contains", "starts_with", "ends_with", "greater_than", "less_than", "in", "not_in", "exists",
        "not_exists",
    ];

    static readonly string[] TagOperators = ["contains", "not_contains", "in", "not_in", "exists", "not_exists"];
    static readonly string[] ScoreOperators = ["equals", "not_equals", "greater_than", "less_than", "in", "not_in", "exists", "not_exists"];
    static readonly string[] BooleanOperators = ["equals", "not_equals", "exists", "not_exists"];

    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Reads <c>conditions</c>; errors are keyed like <c>conditions[0].operator</c>.</summary>
    public static IReadOnlyList<AutomationCondition> Parse(JsonElement conditions, Dictionary<string, string[]> errors)
    {
        if (conditions.ValueKind is JsonValueKind.Null or JsonValueKind.Undefined)
            return [];
        if (conditions.ValueKind != JsonValueKind.Array)
        {
            errors["conditions"] = ["must be an array of {field, operator, value}"];
            return [];
        }

        if (conditions.GetArrayLength() > MaxConditions)
        {
            errors["conditions"] = [$"must hold at most {MaxConditions} conditions"];
            return [];
        }

        var parsed = new List<AutomationCondition>();
        var i = 0;
        foreach (var item in conditions.EnumerateArray())
        {
            var key = $"conditions[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                errors[key] = ["must be an object {field, operator, value}"];
                continue;
            }

            var field = item.TryGetProperty("field", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString()!.Trim() : null;
            var op = item.TryGetProperty("operator", out var o) && o.ValueKind == JsonValueKind.String ? o.GetString()!.Trim().ToLowerInvariant() : null;
            JsonElement? value = item.TryGetProperty("value", out var v) && v.ValueKind != JsonValueKind.Null ? v.Clone() : null;

            if (field is null || !IsKnownField(field))
            {
                errors[$"{key}.field"] = [$"must be one of {string.Join(", ", Fields)}, or attributes.<key>"];
                continue;
            }

            var allowed = OperatorsFor(field);
            if (op is null || !allowed.Contains(op))
            {
                errors[$"{key}.operator"] = [$"must be one of {string.Join(", ", allowed)} for {field}"];
                continue;
            }

            if (ValueProblem(field, op, value) is { } problem)
            {
                errors[$"{key}.value"] = [problem];
                continue;
            }

            parsed.Add(new AutomationCondition(field, op, op is "exists" or "not_exists" ? null : value));
        }

        return parsed;
    }

    static bool IsKnownField(string field) =>
        Fields.Contains(field) || (field.StartsWith(AttributePrefix, StringComparison.Ordinal) && field.Length > AttributePrefix.Length &&
                                   field.Length <= MaxField);

    static string[] OperatorsFor(string field) => field switch
    {
        "tags" => TagOperators,
        "score" => ScoreOperators,
        "marketing_consent" => BooleanOperators,
        _ => Operators,
    };

    static string? ValueProblem(string field, string op, JsonElement? value)
    {
        if (op is "exists" or "not_exists")
            return null;
        if (value is not { } v)
            return $"is required for {op}";
        if (JsonNumbers.FirstOutOfRange(v, "value") is not null)
            return JsonNumbers.OutOfRange;

        bool Scalar(JsonElement e) => e.ValueKind is JsonValueKind.String or JsonValueKind.Number or JsonValueKind.True or JsonValueKind.False;
        bool Fits(JsonElement e) => field switch
        {
            "score" => e.ValueKind == JsonValueKind.Number,
            "marketing_consent" => e.ValueKind is JsonValueKind.True or JsonValueKind.False,
            "tags" => e.ValueKind == JsonValueKind.String,
            _ => Scalar(e),
        };

        return op switch
        {
            "in" or "not_in" when v.ValueKind != JsonValueKind.Array || v.GetArrayLength() == 0 || !v.EnumerateArray().All(Fits) =>
                $"must be a non-empty array of {Kind(field)}",
            "in" or "not_in" => null,
            "greater_than" or "less_than" when Number(v) is null && Date(v) is null => "must be a number or an ISO 8601 date",
            "contains" or "not_contains" or "starts_with" or "ends_with" when (field == "tags" ? v.ValueKind != JsonValueKind.String : !Scalar(v)) =>
                $"must be {Kind(field)}",
            "equals" or "not_equals" when !Fits(v) => $"must be {Kind(field)}",
            _ => null,
        };
    }

    static string Kind(string field) => field switch
    {
        "score" => "numbers",
        "marketing_consent" => "true or false",
        "tags" => "tags (strings)",
        _ => "strings, numbers or booleans",
    };

    public static bool AllHold(IEnumerable<AutomationCondition> conditions, ContactSnapshot contact) => conditions.All(c => Holds(c, contact));

    public static bool Holds(AutomationCondition condition, ContactSnapshot contact)
    {
        var field = ValueOf(condition.Field, contact);
        var value = condition.Value;
        return condition.Operator switch
        {
            "exists" => !IsMissing(field),
            "not_exists" => IsMissing(field),
            "equals" => value is { } v && IsEqual(field, v),
            "not_equals" => value is not { } nv || !IsEqual(field, nv),
            "contains" => value is { } c && Contains(field, c),
            "not_contains" => value is not { } nc || !Contains(field, nc),
            "starts_with" => value is { } s && Scalar(field) is { } fs && fs.StartsWith(Text(s), StringComparison.OrdinalIgnoreCase),
            "ends_with" => value is { } e && Scalar(field) is { } fe && fe.EndsWith(Text(e), StringComparison.OrdinalIgnoreCase),
            "greater_than" => value is { } g && Compare(field, g) > 0,
            "less_than" => value is { } l && Compare(field, l) < 0,
            "in" => value is { } i && In(field, i),
            "not_in" => value is not { } ni || !In(field, ni),
            _ => false,
        };
    }

    static JsonElement? ValueOf(string field, ContactSnapshot c)
    {
        object? raw = field switch
        {
            "email" => c.Email,
            "kind" => c.Kind,
            "first_name" => c.FirstName,
            "last_name" => c.LastName,
            "phone" => c.Phone,
            "company" => c.Company,
            "source" => c.Source,
            "channel" => c.Channel,
            "owner_id" => c.OwnerId,
            "score" => c.Score,
            "timezone" => c.Timezone,
            "marketing_consent" => c.MarketingConsent,
            "tags" => c.Tags,
            "lead_state" => c.LeadState,
            _ when field.StartsWith(AttributePrefix, StringComparison.Ordinal) =>
                c.Attributes is { } attributes && attributes.TryGetValue(field[AttributePrefix.Length..], out var attribute) ? attribute : null,
            _ => null,
        };
        return raw switch
        {
            null => null,
            JsonElement element => element,
            _ => JsonSerializer.SerializeToElement(raw, Json),
        };
    }

    static bool IsMissing(JsonElement? value) => value is not { } v || v.ValueKind switch
    {
        JsonValueKind.Null or JsonValueKind.Undefined => true,
        JsonValueKind.String => string.IsNullOrEmpty(v.GetString()),
        JsonValueKind.Array => v.GetArrayLength() == 0,
        _ => false,
    };

    static bool IsEqual(JsonElement? field, JsonElement value) => !IsMissing(field) && (field!.Value.ValueKind == JsonValueKind.Array
        ? field.Value.EnumerateArray().Any(item => Same(item, value))
        : Same(field.Value, value));

    static bool Contains(JsonElement? field, JsonElement value)
    {
        if (IsMissing(field))
            return false;
        var f = field!.Value;
        return f.ValueKind == JsonValueKind.Array
            ? f.EnumerateArray().Any(item => Same(item, value))
            : Text(f).Contains(Text(value), StringComparison.OrdinalIgnoreCase);
    }

    static bool In(JsonElement? field, JsonElement list)
    {
        if (IsMissing(field) || list.ValueKind != JsonValueKind.Array)
            return false;
        var f = field!.Value;
        return f.ValueKind == JsonValueKind.Array
            ? f.EnumerateArray().Any(item => list.EnumerateArray().Any(candidate => Same(item, candidate)))
            : list.EnumerateArray().Any(candidate => Same(f, candidate));
    }

    static int? Compare(JsonElement? field, JsonElement value)
    {
        if (IsMissing(field) || field!.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object)
            return null;
        if (Number(field.Value) is { } a && Number(value) is { } b)
            return a.CompareTo(b);
        if (Date(field.Value) is { } x && Date(value) is { } y)
            return x.CompareTo(y);
        return null;
    }

    /// <summary>Numbers compare as numbers only when one side really is a number: "007" and "7" are different phone numbers.</summary>
    static bool Same(JsonElement a, JsonElement b)
    {
        if ((a.ValueKind == JsonValueKind.Number || b.ValueKind == JsonValueKind.Number) && Number(a) is { } x && Number(b) is { } y)
            return x == y;
        return string.Equals(Text(a), Text(b), StringComparison.OrdinalIgnoreCase);
    }

    static string? Scalar(JsonElement? value) =>
        IsMissing(value) || value!.Value.ValueKind is JsonValueKind.Array or JsonValueKind.Object ? null : Text(value.Value);

    static string Text(JsonElement e) => e.ValueKind == JsonValueKind.String ? e.GetString()! : e.GetRawText();

    static decimal? Number(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Number when e.TryGetDecimal(out var d) => d,
        JsonValueKind.String when decimal.TryParse(e.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };

    static DateTimeOffset? Date(JsonElement e) =>
        e.ValueKind == JsonValueKind.String &&
        DateTimeOffset.TryParse(e.GetString(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var d)
            ? d
            : null;
}
