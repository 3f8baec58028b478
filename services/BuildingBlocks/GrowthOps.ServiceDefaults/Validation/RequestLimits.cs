using System.Collections.Concurrent;
using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace GrowthOps.ServiceDefaults.Validation;

/// <summary>
/// Holds a request body to the size limits declared on the record that documents it, so the OpenAPI document — which
/// Microsoft.AspNetCore.OpenApi builds from the same attributes — and the check cannot disagree: <c>[MaxLength]</c>,
/// <c>[MinLength]</c>, <c>[Length]</c>, <c>[StringLength]</c> on strings (characters) and arrays (items), <c>[Range]</c> on
/// numbers, <see cref="ItemsMaxLengthAttribute"/> on arrays of strings and <see cref="JsonLimitsAttribute"/> on free-form JSON;
/// members that are records, or arrays of them, are checked in turn. Only limits: a member of the wrong type is left to the
/// handler's parsing, which names it. Errors are keyed by the member's JSON path (<c>attributes</c>, <c>actions[2].notes</c>).
/// <para>
/// Not .NET 10's <c>AddValidation()</c>: it names members in PascalCase (the API is snake_case) and cannot see the bodies
/// that handlers read as <c>JsonElement</c> to tell an absent member from a null one, which are most of them.
/// </para>
/// </summary>
public static class RequestLimits
{
    sealed record Member(string Name, Attribute[] Limits, Type? Record, Type? ItemRecord);

    static readonly JsonSerializerOptions Json = CreateJson();
    static readonly ConcurrentDictionary<Type, Member[]> Plans = new();

    /// <summary>Adds an error for each member of <paramref name="body"/> over a limit of <typeparamref name="T"/>; true when none is.</summary>
    public static bool Check<T>(JsonElement body, IDictionary<string, string[]> errors)
    {
        ArgumentNullException.ThrowIfNull(errors);
        var before = errors.Count;
        Check(typeof(T), body, "", errors);
        return errors.Count == before;
    }

    /// <summary>The errors of a body already bound to its record, checked as it is on the wire (serialised in snake_case); empty when none.</summary>
    public static Dictionary<string, string[]> Errors<T>(T body) where T : class
    {
        var errors = new Dictionary<string, string[]>();
        Check<T>(JsonSerializer.SerializeToElement(body, Json), errors);
        return errors;
    }

    static void Check(Type type, JsonElement body, string path, IDictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return;
        foreach (var member in Plans.GetOrAdd(type, Plan))
        {
            if (!body.TryGetProperty(member.Name, out var value) || value.ValueKind == JsonValueKind.Null)
                continue;
            var key = path + member.Name;
            if (member.Limits.Select(limit => Problem(limit, value)).FirstOrDefault(p => p is not null) is { } problem)
                errors[key] = [problem];
            else if (member.Record is { } record)
                Check(record, value, key + ".", errors);
            else if (member.ItemRecord is { } item && value.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var element in value.EnumerateArray())
                    Check(item, element, $"{key}[{i++}].", errors);
            }
        }
    }

    static string? Problem(Attribute limit, JsonElement value) => (limit, value.ValueKind) switch
    {
        (MaxLengthAttribute max, JsonValueKind.String) when Characters(value) > max.Length => $"is longer than {max.Length} characters",
        (MaxLengthAttribute max, JsonValueKind.Array) when value.GetArrayLength() > max.Length => $"holds more than {max.Length} items",
        (MinLengthAttribute min, JsonValueKind.String) when Characters(value) < min.Length => $"is shorter than {min.Length} characters",
        (MinLengthAttribute min, JsonValueKind.Array) when value.GetArrayLength() < min.Length => $"holds fewer than {min.Length} items",
        (LengthAttribute length, JsonValueKind.String) when Characters(value) is var n && (n < length.MinimumLength || n > length.MaximumLength) =>
            $"must be {length.MinimumLength} to {length.MaximumLength} characters",
        (LengthAttribute length, JsonValueKind.Array) when value.GetArrayLength() is var n && (n < length.MinimumLength || n > length.MaximumLength) =>
            $"must hold {length.MinimumLength} to {length.MaximumLength} items",
        (StringLengthAttribute length, JsonValueKind.String) when Characters(value) is var n && (n < length.MinimumLength || n > length.MaximumLength) =>
            $"must be {length.MinimumLength} to {length.MaximumLength} characters",
        (RangeAttribute range, JsonValueKind.Number) when !InRange(range, value) => $"must be between {range.Minimum} and {range.Maximum}",
        (ItemsMaxLengthAttribute items, JsonValueKind.Array) when value.EnumerateArray()
            .Any(item => item.ValueKind == JsonValueKind.String && Characters(item) > items.Length) => $"has an item longer than {items.Length} characters",
        (JsonLimitsAttribute json, _) => FreeForm(json, value),
        _ => null,
    };

    static string? FreeForm(JsonLimitsAttribute limits, JsonElement value)
    {
        if (limits.MaxBytes > 0 && JsonMarshal.GetRawUtf8Value(value).Length > limits.MaxBytes)
            return $"is larger than {limits.MaxBytes} bytes of JSON";
        return Walk(value, 0);

        string? Walk(JsonElement element, int depth)
        {
            switch (element.ValueKind)
            {
                case JsonValueKind.Object:
                    if (limits.MaxDepth > 0 && depth >= limits.MaxDepth)
                        return NestedTooDeep();
                    var count = 0;
                    foreach (var property in element.EnumerateObject())
                    {
                        if (limits.MaxProperties > 0 && ++count > limits.MaxProperties)
                            return depth == 0
                                ? $"has more than {limits.MaxProperties} members"
                                : $"has a nested object with more than {limits.MaxProperties} members";
                        if (limits.MaxKeyLength > 0 && property.Name.Length > limits.MaxKeyLength)
                            return $"has a member name longer than {limits.MaxKeyLength} characters";
                        if (Walk(property.Value, depth + 1) is { } problem)
                            return problem;
                    }

                    return null;
                case JsonValueKind.Array:
                    if (limits.MaxDepth > 0 && depth >= limits.MaxDepth)
                        return NestedTooDeep();
                    if (limits.MaxItems > 0 && element.GetArrayLength() > limits.MaxItems)
                        return depth == 0 ? $"holds more than {limits.MaxItems} items" : $"has a nested array of more than {limits.MaxItems} items";
                    foreach (var item in element.EnumerateArray())
                        if (Walk(item, depth + 1) is { } problem)
                            return problem;
                    return null;
                case JsonValueKind.String when limits.MaxStringLength > 0 && Characters(element) > limits.MaxStringLength:
                    return depth == 0
                        ? $"is longer than {limits.MaxStringLength} characters"
                        : $"has a string longer than {limits.MaxStringLength} characters";
                default:
                    return null;
            }
        }

        string NestedTooDeep() => limits.MaxDepth == 1 ? "cannot hold nested objects or arrays" : $"is nested deeper than {limits.MaxDepth} levels";
    }

    /// <summary>Characters as JSON Schema's maxLength counts them: code points, a surrogate pair being one.</summary>
    static int Characters(JsonElement value)
    {
        var text = value.GetString()!;
        var pairs = 0;
        for (var i = 0; i + 1 < text.Length; i++)
            if (char.IsSurrogatePair(text[i], text[i + 1]))
            {
                pairs++;
                i++;
            }

        return text.Length - pairs;
    }

    /// <summary>A number too large for a decimal is outside any range a request declares.</summary>
    static bool InRange(RangeAttribute range, JsonElement value) =>
        value.TryGetDecimal(out var number) &&
        number >= Convert.ToDecimal(range.Minimum, CultureInfo.InvariantCulture) && number <= Convert.ToDecimal(range.Maximum, CultureInfo.InvariantCulture);

    static Member[] Plan(Type type) => Json.GetTypeInfo(type).Properties
        .Select(p => new Member(p.Name, p.AttributeProvider?.GetCustomAttributes(inherit: true).OfType<Attribute>().Where(IsLimit).ToArray() ?? [],
            RecordOf(p.PropertyType), Json.GetTypeInfo(p.PropertyType) is { Kind: JsonTypeInfoKind.Enumerable, ElementType: { } item } ? RecordOf(item) : null))
        .ToArray();

    static bool IsLimit(Attribute attribute) => attribute is MaxLengthAttribute or MinLengthAttribute or LengthAttribute or StringLengthAttribute
        or RangeAttribute or ItemsMaxLengthAttribute or JsonLimitsAttribute;

    static Type? RecordOf(Type type)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        return type != typeof(object) && Json.GetTypeInfo(type).Kind == JsonTypeInfoKind.Object ? type : null;
    }

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        Extensions.ConfigureJson(options);
        options.MakeReadOnly(populateMissingResolver: true);
        return options;
    }
}
