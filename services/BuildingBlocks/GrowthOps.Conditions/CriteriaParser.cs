using System.Globalization;
using System.Text.Json;

namespace GrowthOps.Conditions;

/// <summary>
/// Reads criteria from JSON, in either form, and reports every problem with its exact path.
/// <para>
/// Flat form (the seed's): <c>"criteria": [{"field": "ai_score", "operator": "greater_than", "value": 80}, …]</c> with
/// <c>"criteria_logic": "AND" | "OR"</c> (AND when absent); it is one group.
/// </para>
/// <para>
/// Nested form: <c>"criteria"</c> is a group, <c>{"logic": "AND" | "OR" | "NOT", "conditions": [ … ]}</c>, whose conditions
/// are field conditions, activity conditions or groups again, to any depth up to <see cref="CriteriaLimits.MaxDepth"/>.
/// NOT holds when none of its conditions holds. This is the shape of a query-builder UI: every group says its combinator
/// and lists its rules; an <c>"id"</c> on any node (the UI's own key) is accepted and ignored.
/// </para>
/// <para>
/// Field condition: <c>{"field", "operator", "value"}</c>, plus for <c>attributes.&lt;key&gt;</c> and
/// <c>metadata.&lt;key&gt;</c> an optional <c>"type": "number" | "text" | "date" | "boolean"</c> (otherwise the value's JSON
/// type decides; dates in attributes need <c>"type": "date"</c>). Values: a number, a string, <c>true</c>/<c>false</c> or a
/// date (see <see cref="DateValue"/>); <c>[min, max]</c> for <c>between</c>; a non-empty array for <c>in</c>/<c>not_in</c>;
/// none for <c>is_null</c>/<c>is_not_null</c>; a pattern in the <see cref="PortableRegex"/> dialect for <c>regex</c>.
/// </para>
/// <para>
/// Activity condition: <c>{"activity": "checkout.completed", "has_done": true, "at_least": 1, "at_most": 5,
/// "within_days": 30, "where": [{"field": "metadata.product", "operator": "equals", "value": "P2P"}]}</c>; only
/// <c>activity</c> is required (<c>has_done</c> true, <c>at_least</c> 1, no upper bound, the whole history). <c>where</c>
/// is an array (all must hold) or a group over <c>metadata.&lt;key&gt;</c> fields; <c>within_days</c> is 1 to the activity
/// retention, and a <c>where</c> without it looks at the retention window.
/// </para>
/// </summary>
public sealed class CriteriaParser
{
    static readonly string[] GroupProperties = ["logic", "conditions", "id"];
    static readonly string[] FieldProperties = ["field", "operator", "value", "type", "id"];
    static readonly string[] ActivityProperties = ["activity", "has_done", "at_least", "at_most", "within_days", "where", "id"];

    readonly int _retentionDays;
    readonly IReadOnlySet<string> _contextPrefixes;
    readonly List<CriteriaError> _errors = [];
    int _conditions;
    bool _tooMany;

    CriteriaParser(int retentionDays, IReadOnlySet<string>? contextPrefixes)
    {
        _retentionDays = retentionDays;
        _contextPrefixes = contextPrefixes ?? new HashSet<string>();
    }

    /// <summary>
    /// Parses <paramref name="criteria"/> (an array: the flat form, with <paramref name="criteriaLogic"/>; an object: a group)
    /// into a tree, or returns the errors. <paramref name="path"/> and <paramref name="logicPath"/> name the two properties in messages.
    /// </summary>
    /// <remarks>
    /// <paramref name="contextPrefixes"/>: first segments of context fields the caller evaluates in memory with a context
    /// (<c>event</c> makes <c>event.amount</c> a field, typed like an attribute); none by default.
    /// </remarks>
    public static CriteriaParseResult Parse(JsonElement criteria, JsonElement? criteriaLogic, int activityRetentionDays,
        string path = "criteria", string logicPath = "criteria_logic", IReadOnlySet<string>? contextPrefixes = null)
    {
        var parser = new CriteriaParser(activityRetentionDays, contextPrefixes);
        var root = parser.ParseRoot(criteria, criteriaLogic, path, logicPath);
        return parser._errors.Count > 0 || root is null
            ? new CriteriaParseResult(null, parser._errors)
            : new CriteriaParseResult(new Criteria(root), []);
    }

    CriteriaGroup? ParseRoot(JsonElement criteria, JsonElement? logic, string path, string logicPath)
    {
        var hasLogic = logic is { ValueKind: not (JsonValueKind.Null or JsonValueKind.Undefined) };
        switch (criteria.ValueKind)
        {
            case JsonValueKind.Array:
            {
                var groupLogic = GroupLogic.And;
                if (hasLogic && (logic!.Value.ValueKind != JsonValueKind.String ||
                                 ParseLogic(logic.Value.GetString()!) is not { } l || l == GroupLogic.Not))
                    Error(logicPath, "expected 'AND' or 'OR'");
                else if (hasLogic)
                    groupLogic = ParseLogic(logic!.Value.GetString()!)!.Value;
                // The flat list is the root group (depth 1): what it holds is one level down.
                return new CriteriaGroup(path, groupLogic, ParseList(criteria, path, 2, metadata: false));
            }
            case JsonValueKind.Object:
                if (hasLogic)
                    Error(logicPath, "applies only to the flat form (criteria as an array); a group says its own \"logic\"");
                var node = ParseNode(criteria, path, 1, metadata: false);
                return node as CriteriaGroup ?? (node is null ? null : new CriteriaGroup(path, GroupLogic.And, [node]));
            default:
                Error(path, "expected an array of conditions, or a group {\"logic\": \"AND\" | \"OR\" | \"NOT\", \"conditions\": [...]}");
                return null;
        }
    }

    static GroupLogic? ParseLogic(string value) => value.ToUpperInvariant() switch
    {
        "AND" => GroupLogic.And,
        "OR" => GroupLogic.Or,
        "NOT" => GroupLogic.Not,
        _ => null,
    };

    List<Criterion> ParseList(JsonElement array, string path, int depth, bool metadata)
    {
        var list = new List<Criterion>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
            if (ParseNode(item, $"{path}[{i++}]", depth, metadata) is { } node)
                list.Add(node);
        return list;
    }

    Criterion? ParseNode(JsonElement e, string path, int depth, bool metadata)
    {
        if (e.ValueKind != JsonValueKind.Object)
        {
            Error(path, "expected a condition {\"field\", \"operator\", \"value\"}, an activity condition {\"activity\", …} or a group {\"logic\", \"conditions\"}");
            return null;
        }

        if (e.TryGetProperty("conditions", out _) || e.TryGetProperty("logic", out _))
            return ParseGroup(e, path, depth, metadata);
        if (e.TryGetProperty("activity", out _))
        {
            if (!metadata)
                return ParseActivity(e, path, depth);
            Error(path, "an activity condition cannot appear inside \"where\"");
            return null;
        }

        if (e.TryGetProperty("field", out _))
            return ParseField(e, path, metadata);
        Error(path, "expected \"field\" (a condition), \"activity\" (an activity condition) or \"logic\" and \"conditions\" (a group)");
        return null;
    }

    CriteriaGroup? ParseGroup(JsonElement e, string path, int depth, bool metadata)
    {
        UnknownProperties(e, path, GroupProperties);
        if (depth > CriteriaLimits.MaxDepth)
        {
            Error(path, $"nests groups deeper than {CriteriaLimits.MaxDepth} levels");
            return null;
        }

        var logic = GroupLogic.And;
        if (e.TryGetProperty("logic", out var l))
        {
            if (l.ValueKind == JsonValueKind.String && ParseLogic(l.GetString()!) is { } parsed)
                logic = parsed;
            else
                Error($"{path}.logic", "expected 'AND', 'OR' or 'NOT'");
        }

        if (!e.TryGetProperty("conditions", out var conditions) || conditions.ValueKind != JsonValueKind.Array)
        {
            Error($"{path}.conditions", "expected an array of conditions");
            return null;
        }

        return new CriteriaGroup(path, logic, ParseList(conditions, $"{path}.conditions", depth + 1, metadata));
    }

    ActivityCondition? ParseActivity(JsonElement e, string path, int depth)
    {
        UnknownProperties(e, path, ActivityProperties);
        Count(path);
        var ok = true;
        string? type = null;
        if (e.GetProperty("activity") is not { ValueKind: JsonValueKind.String } t || ReadText(t) is not { Length: > 0 and <= CriteriaLimits.MaxKeyLength } s)
        {
            ok = Error($"{path}.activity", $"expected an activity type (1 to {CriteriaLimits.MaxKeyLength} characters)");
        }
        else
            type = s;

        var hasDone = true;
        if (e.TryGetProperty("has_done", out var d))
        {
            if (d.ValueKind is JsonValueKind.True or JsonValueKind.False)
                hasDone = d.GetBoolean();
            else
                ok = Error($"{path}.has_done", "expected true or false");
        }

        long? ReadCount(string name)
        {
            if (!e.TryGetProperty(name, out var v) || v.ValueKind == JsonValueKind.Null)
                return null;
            if (v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) && n is >= 0 and <= CriteriaLimits.MaxActivityCount)
                return n;
            ok = Error($"{path}.{name}", $"expected a whole number from 0 to {CriteriaLimits.MaxActivityCount}");
            return null;
        }

        var atLeast = ReadCount("at_least");
        var atMost = ReadCount("at_most");
        if (atMost is { } max && max < (atLeast ?? 1))
            ok = Error($"{path}.at_most", $"must not be less than at_least ({atLeast ?? 1})");

        int? within = null;
        if (e.TryGetProperty("within_days", out var w) && w.ValueKind != JsonValueKind.Null)
        {
            if (w.ValueKind == JsonValueKind.Number && w.TryGetInt32(out var days) && days >= 1 && days <= _retentionDays)
                within = days;
            else
                ok = Error($"{path}.within_days", $"expected a whole number of days from 1 to {_retentionDays} (the activity retention)");
        }

        Criterion? where = null;
        if (e.TryGetProperty("where", out var wh) && wh.ValueKind != JsonValueKind.Null)
        {
            where = wh.ValueKind switch
            {
                JsonValueKind.Array => new CriteriaGroup($"{path}.where", GroupLogic.And, ParseList(wh, $"{path}.where", depth + 1, metadata: true)),
                JsonValueKind.Object => ParseNode(wh, $"{path}.where", depth + 1, metadata: true),
                _ => null,
            };
            if (wh.ValueKind is not (JsonValueKind.Array or JsonValueKind.Object))
                ok = Error($"{path}.where", "expected an array of metadata conditions or a group");
        }

        if (!ok || type is null)
            return null;
        return new ActivityCondition(path, type, hasDone, where, atLeast ?? 1, atMost, within ?? (where is null ? null : _retentionDays));
    }

    FieldCondition? ParseField(JsonElement e, string path, bool metadata)
    {
        UnknownProperties(e, path, FieldProperties);
        Count(path);

        var name = e.GetProperty("field") is { ValueKind: JsonValueKind.String } f ? ReadText(f) : null;
        CriteriaOperator? op = null;
        if (!e.TryGetProperty("operator", out var o))
            Error($"{path}.operator", "is required");
        else if (o.ValueKind != JsonValueKind.String || ReadText(o) is not { } opName)
            Error($"{path}.operator", "expected an operator name");
        else if (CriteriaOperators.TryParse(opName, out var parsed))
            op = parsed;
        else
            Error($"{path}.operator", $"unknown operator '{Clip(opName)}'");

        var hasValue = e.TryGetProperty("value", out var value) && value.ValueKind != JsonValueKind.Null;
        FieldType? declared = null;
        var typeOk = true;
        if (e.TryGetProperty("type", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            declared = t.ValueKind == JsonValueKind.String ? ParseType(t.GetString()!) : null;
            if (declared is null)
                typeOk = Error($"{path}.type", "expected 'number', 'text', 'date' or 'boolean'");
        }

        var field = ResolveField(name, path, metadata, declared, op, hasValue ? value : null, ref typeOk);
        if (field is null || op is not { } oper || !typeOk)
            return null;

        if (field.Type is { } type && !CriteriaOperators.AppliesTo(oper, type))
        {
            var hint = field.Kind is FieldKind.Attribute or FieldKind.Metadata or FieldKind.Context && declared is null
                ? " (the value decides the type; say \"type\" for another)"
                : "";
            Error($"{path}.operator", $"operator '{CriteriaOperators.Name(oper)}' does not apply to {Describe(type)} field '{field.Name}'{hint}; " +
                                      $"use one of {string.Join(", ", CriteriaOperators.For(type))}");
            return null;
        }

        var operand = ParseOperand(field, oper, hasValue ? value : null, $"{path}.value");
        return operand is null ? null : new FieldCondition(path, field, oper, operand, hasValue ? value.GetRawText() : "");
    }

    CriteriaField? ResolveField(string? name, string path, bool metadata, FieldType? declared, CriteriaOperator? op, JsonElement? value, ref bool typeOk)
    {
        if (name is null)
        {
            Error($"{path}.field", "expected a field name");
            return null;
        }

        var dot = name.IndexOf('.');
        if (!metadata && dot > 0 && _contextPrefixes.Contains(name[..dot]))
        {
            if (name.Length > CriteriaLimits.MaxKeyLength || dot == name.Length - 1 || name.Contains("..", StringComparison.Ordinal))
            {
                Error($"{path}.field", $"expected {name[..dot]}.<path> of at most {CriteriaLimits.MaxKeyLength} characters");
                return null;
            }

            var contextType = declared ?? InferType(op, value);
            if (contextType is null && op is not (CriteriaOperator.IsNull or CriteriaOperator.IsNotNull) && op is not null)
            {
                typeOk = Error($"{path}.value", "expected a number, a string or true/false (or say \"type\")");
                return null;
            }

            return FieldCatalogue.Context(name, contextType);
        }

        var prefix = metadata ? FieldCatalogue.MetadataPrefix : FieldCatalogue.AttributePrefix;
        if (name.StartsWith(prefix, StringComparison.Ordinal))
        {
            var key = name[prefix.Length..];
            if (key.Length is 0 or > CriteriaLimits.MaxKeyLength)
            {
                Error($"{path}.field", $"expected {prefix}<key> with a key of 1 to {CriteriaLimits.MaxKeyLength} characters");
                return null;
            }

            var type = declared ?? InferType(op, value);
            if (type is null && op is not (CriteriaOperator.IsNull or CriteriaOperator.IsNotNull) && op is not null)
            {
                typeOk = Error($"{path}.value", "expected a number, a string or true/false (or say \"type\")");
                return null;
            }

            return metadata ? FieldCatalogue.Metadata(key, type) : FieldCatalogue.Attribute(key, type);
        }

        if (declared is not null)
            typeOk = Error($"{path}.type", $"only {FieldCatalogue.AttributePrefix}<key> and {FieldCatalogue.MetadataPrefix}<key> fields take a type");
        if (metadata)
        {
            Error($"{path}.field", $"inside \"where\" only {FieldCatalogue.MetadataPrefix}<key> fields are allowed");
            return null;
        }

        if (name.StartsWith(FieldCatalogue.MetadataPrefix, StringComparison.Ordinal))
        {
            Error($"{path}.field", $"{FieldCatalogue.MetadataPrefix}<key> fields belong in an activity condition's \"where\"");
            return null;
        }

        if (FieldCatalogue.Find(name) is { } known)
            return known;
        Error($"{path}.field", $"unknown field '{Clip(name)}'");
        return null;
    }

    /// <summary>An attribute's type from the value: a JSON number, boolean or string (the first element of an array).</summary>
    static FieldType? InferType(CriteriaOperator? op, JsonElement? value)
    {
        if (op is CriteriaOperator.Regex or CriteriaOperator.Contains or CriteriaOperator.NotContains or CriteriaOperator.StartsWith or CriteriaOperator.EndsWith)
            return FieldType.Text;
        var v = value;
        if (v is { ValueKind: JsonValueKind.Array } array)
            v = array.GetArrayLength() > 0 ? array[0] : null;
        return v?.ValueKind switch
        {
            JsonValueKind.Number => FieldType.Number,
            JsonValueKind.String => FieldType.Text,
            JsonValueKind.True or JsonValueKind.False => FieldType.Boolean,
            _ => null,
        };
    }

    static FieldType? ParseType(string value) => value switch
    {
        "number" => FieldType.Number,
        "text" => FieldType.Text,
        "date" => FieldType.Date,
        "boolean" => FieldType.Boolean,
        _ => null,
    };

    Operand? ParseOperand(CriteriaField field, CriteriaOperator op, JsonElement? value, string path)
    {
        if (op is CriteriaOperator.IsNull or CriteriaOperator.IsNotNull)
            return Operand.None;
        var type = field.Type!.Value;
        if (value is not { } v)
        {
            Error(path, "is required");
            return null;
        }

        switch (op)
        {
            case CriteriaOperator.Between:
                if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() != 2)
                {
                    Error(path, $"expected [min, max]: an array of two {Plural(type)}");
                    return null;
                }

                var pair = ParseScalars(field, op, v, path);
                if (pair?.Numbers is [var lo, var hi] && lo > hi)
                {
                    Error(path, "min is greater than max");
                    return null;
                }

                return pair;
            case CriteriaOperator.In or CriteriaOperator.NotIn:
                if (v.ValueKind != JsonValueKind.Array || v.GetArrayLength() is 0 or > CriteriaLimits.MaxListLength)
                {
                    Error(path, $"expected a non-empty array of {Plural(type)} (at most {CriteriaLimits.MaxListLength})");
                    return null;
                }

                return ParseScalars(field, op, v, path);
            case CriteriaOperator.Regex:
                if (v.ValueKind != JsonValueKind.String || ReadText(v) is not { } pattern)
                {
                    Error(path, "expected a pattern (a string)");
                    return null;
                }

                if (PortableRegex.TryParse(pattern, out var problem) is { } regex)
                    return new Operand { Pattern = regex };
                Error(path, $"invalid regex: {problem}");
                return null;
            default:
                if (v.ValueKind == JsonValueKind.Array)
                {
                    Error(path, $"expected {Singular(type)}, not an array");
                    return null;
                }

                return ParseScalars(field, op, v, path, single: true);
        }
    }

    /// <summary>The elements of <paramref name="value"/> (or the value itself when <paramref name="single"/>), all of the field's type.</summary>
    Operand? ParseScalars(CriteriaField field, CriteriaOperator op, JsonElement value, string path, bool single = false)
    {
        var items = single ? [value] : value.EnumerateArray().ToList();
        var numbers = new List<decimal>();
        var texts = new List<string>();
        var dates = new List<DateValue>();
        bool? boolean = null;
        var ok = true;
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var at = single ? path : $"{path}[{i}]";
            switch (field.Type)
            {
                case FieldType.Number:
                    if (item.ValueKind != JsonValueKind.Number)
                        ok = Error(at, "expected a number");
                    else if (!item.TryGetDecimal(out var n))
                        ok = Error(at, "number out of range");
                    else if (field.Kind == FieldKind.DaysSince && Math.Abs(n) > CriteriaLimits.MaxDays)
                        ok = Error(at, $"expected a number of days from -{CriteriaLimits.MaxDays} to {CriteriaLimits.MaxDays}");
                    else
                        numbers.Add(n);
                    break;
                case FieldType.Text or FieldType.Tags:
                    if (item.ValueKind != JsonValueKind.String)
                        ok = Error(at, "expected a string");
                    else if (ReadText(item) is not { } s)
                        ok = Error(at, "is not valid text (NUL characters and lone surrogates cannot be stored)");
                    else if (s.Length > CriteriaLimits.MaxTextLength)
                        ok = Error(at, $"is longer than {CriteriaLimits.MaxTextLength} characters");
                    else if (s.Length == 0 && op is CriteriaOperator.Contains or CriteriaOperator.NotContains or CriteriaOperator.StartsWith or CriteriaOperator.EndsWith)
                        ok = Error(at, "must not be empty");
                    else
                        texts.Add(AsciiCase.Fold(s));
                    break;
                case FieldType.Date:
                    if (item.ValueKind == JsonValueKind.String && ReadText(item) is { } text && DateValue.TryParse(text) is { } date)
                        dates.Add(date);
                    else
                        ok = Error(at, DateValue.Expected);
                    break;
                case FieldType.Boolean:
                    if (item.ValueKind is JsonValueKind.True or JsonValueKind.False)
                        boolean = item.GetBoolean();
                    else
                        ok = Error(at, "expected true or false");
                    break;
            }
        }

        return ok ? new Operand { Numbers = numbers, Texts = texts, Dates = dates, Boolean = boolean } : null;
    }

    /// <summary>The string, or null when PostgreSQL could not store it (a NUL character or a lone surrogate).</summary>
    static string? ReadText(JsonElement e)
    {
        string s;
        try
        {
            s = e.GetString()!;
        }
        catch (InvalidOperationException)
        {
            return null;
        }

        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] == '\0')
                return null;
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
                i++;
            else if (char.IsSurrogate(s[i]))
                return null;
        }

        return s;
    }

    void Count(string path)
    {
        if (++_conditions <= CriteriaLimits.MaxConditions || _tooMany)
            return;
        _tooMany = true;
        Error(path, $"more than {CriteriaLimits.MaxConditions} conditions in one criteria tree");
    }

    void UnknownProperties(JsonElement e, string path, string[] allowed)
    {
        foreach (var p in e.EnumerateObject())
            if (!allowed.Contains(p.Name, StringComparer.Ordinal))
                Error($"{path}.{Clip(p.Name)}", "unknown property");
    }

    /// <summary>Records an error; returns false, for <c>ok = Error(…)</c>.</summary>
    bool Error(string path, string message)
    {
        _errors.Add(new CriteriaError(path, message));
        return false;
    }

    static string Clip(string s) => s.Length <= 60 ? s : string.Concat(s.AsSpan(0, 60), "…");

    static string Describe(FieldType type) => type switch
    {
        FieldType.Tags => "list",
        _ => type.ToString().ToLower(CultureInfo.InvariantCulture),
    };

    static string Singular(FieldType type) => type switch
    {
        FieldType.Number => "a number",
        FieldType.Date => "a date",
        FieldType.Boolean => "true or false",
        _ => "a string",
    };

    static string Plural(FieldType type) => type switch
    {
        FieldType.Number => "numbers",
        FieldType.Date => "dates",
        FieldType.Boolean => "booleans",
        _ => "strings",
    };
}
