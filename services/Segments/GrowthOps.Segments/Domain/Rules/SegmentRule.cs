using System.Text.Json;

namespace GrowthOps.Segments.Domain.Rules;

/// <summary>
/// A rule template: one condition of the criteria language, named and filed under a segment type (<see cref="Category"/>).
/// <see cref="Value"/> is absent for <c>is_null</c> / <c>is_not_null</c>.
/// </summary>
public sealed record SegmentRule(Guid Id, string Name, string? Description, string Category, string Field, string Operator, JsonElement? Value,
    bool IsDefault, DateTime CreatedAt, DateTime UpdatedAt)
{
    /// <summary>The rule as a condition of the flat criteria form: <c>{"field", "operator", "value"}</c>.</summary>
    public JsonElement Condition() => Condition(Field, Operator, Value);

    public static JsonElement Condition(string field, string @operator, JsonElement? value)
    {
        var condition = new Dictionary<string, JsonElement>
        {
            ["field"] = JsonSerializer.SerializeToElement(field),
            ["operator"] = JsonSerializer.SerializeToElement(@operator),
        };
        if (value is { ValueKind: not JsonValueKind.Null } v)
            condition["value"] = v;
        return JsonSerializer.SerializeToElement(condition);
    }
}
