using System.Globalization;
using System.Text.Json;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// What the fuzzer needs to know of one JSON schema of an OpenAPI document: the JSON types it admits, its format and bounds,
/// its members and items. <c>$ref</c>s are followed inside the document; <c>oneOf</c>/<c>anyOf</c> branches are kept so a value can
/// be matched to the branch it follows. A schema without <c>type</c> admits anything (<see cref="IsAny"/>).
/// </summary>
public sealed class SchemaShape
{
    public static readonly string[] JsonTypes = ["string", "integer", "number", "boolean", "null", "object", "array"];

    readonly JsonElement document;

    SchemaShape(JsonElement document, JsonElement schema)
    {
        this.document = document;
        Schema = Resolve(document, schema);
        Types = ReadTypes(Schema);
        Branches = ReadBranches(Schema).Select(b => new SchemaShape(document, b)).ToList();
        if (Types.Count == 0 && Branches.Count > 0)
            Types = Branches.SelectMany(b => b.Types).ToHashSet(StringComparer.Ordinal);
    }

    public static SchemaShape Of(JsonElement document, JsonElement schema) => new(document, schema);

    /// <summary>The schema itself, its <c>$ref</c> followed.</summary>
    public JsonElement Schema { get; }

    /// <summary>The JSON types admitted (<c>integer</c> is a <c>number</c> too, see <see cref="Admits"/>); empty when any value is.</summary>
    public IReadOnlySet<string> Types { get; }

    /// <summary>The <c>oneOf</c>/<c>anyOf</c> alternatives.</summary>
    public IReadOnlyList<SchemaShape> Branches { get; }

    public bool IsAny => Types.Count == 0;

    public string? Format => Member("format") is { ValueKind: JsonValueKind.String } f ? f.GetString() : null;

    public decimal? Minimum => Number("minimum");

    public decimal? Maximum => Number("maximum");

    public int? MaxLength => Number("maxLength") is { } n ? (int)n : null;

    public int? MaxItems => Number("maxItems") is { } n ? (int)n : null;

    public IReadOnlyList<string> Required =>
        Member("required") is { ValueKind: JsonValueKind.Array } r ? r.EnumerateArray().Select(x => x.GetString()!).ToList() : [];

    /// <summary>The declared members (of the branch for objects, when the schema is a choice).</summary>
    public IReadOnlyList<(string Name, SchemaShape Shape)> Properties =>
        Member("properties") is { ValueKind: JsonValueKind.Object } p
            ? p.EnumerateObject().Select(x => (x.Name, new SchemaShape(document, x.Value))).ToList()
            : Branches.FirstOrDefault(b => b.Admits("object"))?.Properties ?? [];

    public SchemaShape? Items =>
        Member("items") is { ValueKind: JsonValueKind.Object } i ? new SchemaShape(document, i) : Branches.FirstOrDefault(b => b.Admits("array"))?.Items;

    /// <summary>Whether a value of JSON type <paramref name="type"/> can match (an integer is a number; any type matches "any").</summary>
    public bool Admits(string type) =>
        IsAny || Types.Contains(type) || (type == "integer" && Types.Contains("number"));

    /// <summary>The branch a value of <paramref name="kind"/> follows, or this shape when it is not a choice.</summary>
    public SchemaShape For(JsonValueKind kind)
    {
        if (Branches.Count == 0)
            return this;
        var type = kind switch
        {
            JsonValueKind.Array => "array",
            JsonValueKind.Object => "object",
            JsonValueKind.String => "string",
            JsonValueKind.Number => "number",
            JsonValueKind.True or JsonValueKind.False => "boolean",
            _ => "null",
        };
        return Branches.FirstOrDefault(b => b.Admits(type)) ?? this;
    }

    decimal? Number(string name) => Member(name) is { ValueKind: JsonValueKind.Number } v ? v.GetDecimal() : null;

    JsonElement? Member(string name) => Schema.ValueKind == JsonValueKind.Object && Schema.TryGetProperty(name, out var value) ? value : null;

    static JsonElement Resolve(JsonElement document, JsonElement schema)
    {
        for (var hops = 0; schema.ValueKind == JsonValueKind.Object && schema.TryGetProperty("$ref", out var reference) && hops < 32; hops++)
        {
            var target = document;
            foreach (var token in reference.GetString()!.TrimStart('#').Split('/', StringSplitOptions.RemoveEmptyEntries))
                target = target.GetProperty(token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal));
            schema = target;
        }

        return schema;
    }

    static HashSet<string> ReadTypes(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object || !schema.TryGetProperty("type", out var type))
            return new HashSet<string>(StringComparer.Ordinal);
        return type.ValueKind == JsonValueKind.Array
            ? type.EnumerateArray().Select(t => t.GetString()!).ToHashSet(StringComparer.Ordinal)
            : new HashSet<string>([type.GetString()!], StringComparer.Ordinal);
    }

    static IEnumerable<JsonElement> ReadBranches(JsonElement schema)
    {
        if (schema.ValueKind != JsonValueKind.Object)
            yield break;
        foreach (var keyword in new[] { "oneOf", "anyOf" })
            if (schema.TryGetProperty(keyword, out var list))
                foreach (var branch in list.EnumerateArray())
                    yield return branch;
    }

    public override string ToString() =>
        IsAny ? "any" : string.Join('|', Types.Order(StringComparer.Ordinal)) + (Format is { } f ? string.Create(CultureInfo.InvariantCulture, $" ({f})") : "");
}
