using System.Collections;
using System.Text.Json;

namespace GrowthOps.Templates;

/// <summary>
/// Turns the JSON values of a model (merge data, custom attributes) into the plain .NET values Handlebars understands:
/// objects into dictionaries (so <c>{{order.id}}</c> resolves), arrays into lists (<c>{{#each}}</c>), false, null, 0 and ""
/// into values <c>{{#if}}</c> takes as false — a <see cref="JsonElement"/> is a struct, which Handlebars would take as true
/// whatever it holds.
/// </summary>
public static class MergeValues
{
    public static object? Normalize(object? value) => value switch
    {
        null => null,
        string => value,
        JsonElement json => FromJson(json),
        IReadOnlyDictionary<string, JsonElement> json => json.ToDictionary(p => p.Key, p => FromJson(p.Value), StringComparer.Ordinal),
        IDictionary<string, object?> dictionary => dictionary.ToDictionary(p => p.Key, p => Normalize(p.Value), StringComparer.Ordinal),
        IReadOnlyDictionary<string, object?> dictionary => dictionary.ToDictionary(p => p.Key, p => Normalize(p.Value), StringComparer.Ordinal),
        IList list when value.GetType().IsGenericType && list.Cast<object?>().Any(i => i is JsonElement) => list.Cast<object?>().Select(Normalize).ToList(),
        _ => value,
    };

    static object? FromJson(JsonElement json) => json.ValueKind switch
    {
        JsonValueKind.String => json.GetString(),
        // Numbers as the JSON wrote them where an integer or decimal holds them exactly (12.50 stays 12.50), else a double.
        JsonValueKind.Number => json.TryGetInt64(out var integer) ? integer : json.TryGetDecimal(out var number) ? number : json.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        JsonValueKind.Object => json.EnumerateObject().GroupBy(p => p.Name, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => FromJson(g.Last().Value), StringComparer.Ordinal),
        JsonValueKind.Array => json.EnumerateArray().Select(FromJson).ToList(),
        _ => null,
    };
}
