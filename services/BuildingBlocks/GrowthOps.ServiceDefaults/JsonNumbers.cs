using System.Text.Json;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// Numbers in free-form JSON a service stores as given (attributes, metadata, variables) must fit a double. <c>1e309</c> is
/// valid JSON and jsonb keeps it, but it reads back as Infinity in JavaScript and in .NET's <c>GetDouble</c>: refused on
/// the way in, a 400 naming where it is, rather than a value no client can read. (Typed numeric fields refuse it when binding.)
/// </summary>
public static class JsonNumbers
{
    public const string OutOfRange = "holds a number beyond the range of a double (±1.7976931348623157e308)";

    /// <summary>Where the first such number in <paramref name="value"/> is (<c>attributes.size</c>, <c>metadata.items[2]</c>), or null.</summary>
    public static string? FirstOutOfRange(JsonElement value, string path) => value.ValueKind switch
    {
        // Text that overflows reads as an infinity (JSON has no NaN or Infinity literals, so that is the only way to get one).
        JsonValueKind.Number => value.TryGetDouble(out var number) && double.IsFinite(number) ? null : path,
        JsonValueKind.Object => value.EnumerateObject().Select(p => FirstOutOfRange(p.Value, $"{path}.{p.Name}")).FirstOrDefault(p => p is not null),
        JsonValueKind.Array => value.EnumerateArray().Select((e, i) => FirstOutOfRange(e, $"{path}[{i}]")).FirstOrDefault(p => p is not null),
        _ => null,
    };
}
