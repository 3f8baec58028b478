using System.Text.Json.Nodes;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// A place in a request body that the schema describes: a member (<c>first_name</c>), or a member of the first element of an
/// array the example body has (<c>activities[0].type</c>). <see cref="Present"/>: the example body has a value there.
/// </summary>
public sealed record BodyLocation(IReadOnlyList<object> Path, SchemaShape Shape, bool Required, bool Present)
{
    /// <summary>The member itself, which a problem about its value should name.</summary>
    public string? Member => Path.OfType<string>().LastOrDefault();

    public override string ToString() =>
        Path.Count == 0 ? "the body" : string.Concat(Path.Select((p, i) => p is int index ? $"[{index}]" : i == 0 ? (string)p : $".{p}"));

    /// <summary>Every location of <paramref name="body"/> under <paramref name="shape"/>, three levels deep at most.</summary>
    public static IEnumerable<BodyLocation> Walk(SchemaShape shape, JsonNode? body) => Walk(shape, body, [], required: false, present: true, depth: 0);

    static IEnumerable<BodyLocation> Walk(SchemaShape shape, JsonNode? node, List<object> path, bool required, bool present, int depth)
    {
        var actual = node is null ? shape : shape.For(node.GetValueKind());
        if (path.Count > 0)
            yield return new BodyLocation(path.ToList(), actual, required, present);
        if (depth == 3)
            yield break;
        var members = actual.Required;
        foreach (var (name, member) in actual.Properties)
        {
            var child = node is JsonObject o && o.TryGetPropertyValue(name, out var value) ? value : null;
            var childPresent = node is JsonObject holder && holder.ContainsKey(name);
            foreach (var location in Walk(member, child, [.. path, name], members.Contains(name), childPresent, depth + 1))
                yield return location;
        }

        if (actual.Items is { } items && node is JsonArray { Count: > 0 } array)
            foreach (var location in Walk(items, array[0], [.. path, 0], required: false, present: true, depth + 1))
                yield return location;
    }
}
