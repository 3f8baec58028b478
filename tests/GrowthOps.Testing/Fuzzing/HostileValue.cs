using System.Globalization;
using System.Text;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>
/// A JSON value (or something posing as one) written byte for byte into a request body: escapes such as <c>\u0000</c>
/// and <c>\ud800</c> stay escapes, invalid UTF-8 stays invalid. <paramref name="Refuse"/>: the service must refuse it
/// wherever it appears; <paramref name="NameField"/>: a 400 for it must name the member.
/// </summary>
public sealed record HostileValue(string Kind, byte[] Json, string Description, bool Refuse, bool NameField = false)
{
    static readonly Encoding Utf8 = new UTF8Encoding(false);

    /// <summary>Strings PostgreSQL cannot store or .NET cannot read, and strings that are merely odd.</summary>
    public static HostileValue Text(string kind, Random random) => kind switch
    {
        "string.nul" => Escaped(kind, "fuzz\\u0000nul", refuse: true),
        "string.lone-high-surrogate" => Escaped(kind, "fuzz\\ud800", refuse: true),
        "string.lone-low-surrogate" => Escaped(kind, "\\udc00fuzz", refuse: true),
        "string.invalid-utf8" => InvalidUtf8(random),
        "string.rtl-override" => Escaped(kind, "fuzz\\u202Egnp.exe", refuse: false),
        "string.control" => Escaped(kind, "a\\r\\nb\\t\\u001b[31m\\u0085", refuse: false),
        "string.astral" => Escaped(kind, "\\ud83d\\ude00 fuzz \\u00e9\\u0301", refuse: false),
        "string.long" => Long(random),
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    public static readonly string[] StringKinds =
    [
        "string.nul", "string.lone-high-surrogate", "string.lone-low-surrogate", "string.invalid-utf8", "string.rtl-override",
        "string.control", "string.astral", "string.long",
    ];

    /// <summary>Numbers no field can hold, and numbers at the edges.</summary>
    public static IEnumerable<HostileValue> Numbers(SchemaShape shape)
    {
        var integer = shape.Admits("integer") && !shape.Types.Contains("number");
        yield return Raw("number.overflow", "1e309", "1e309 (beyond double)", refuse: true);
        yield return Raw("number.digits", new string('9', 400), "a 400-digit number", refuse: true);
        yield return Raw("number.negative", "-1", "-1", refuse: false);
        yield return Raw("number.int64-overflow", "9223372036854775808", "2^63", refuse: integer);
        if (shape.Format == "int32")
            yield return Raw("number.int32-overflow", "2147483648", "2^31", refuse: true);
        if (integer)
            yield return Raw("number.fraction", "1.5", "1.5 for an integer", refuse: true);
        if (!shape.Admits("string"))
            foreach (var name in new[] { "NaN", "Infinity", "-Infinity" })
                yield return Raw("number.named-string", $"\"{name}\"", $"\"{name}\" as a string", refuse: true);
        yield return Raw("number.named-literal", "NaN", "a bare NaN (not JSON)", refuse: true);
    }

    /// <summary>Nesting no JSON reader is configured to follow (System.Text.Json stops at 64 by default).</summary>
    public static HostileValue DeepNesting(Random random)
    {
        var depth = 1_000 + random.Next(1_000);
        return random.Next(2) == 0
            ? Raw("json.deep-nesting", new string('[', depth) + new string(']', depth), $"{depth} nested arrays", refuse: true)
            : Raw("json.deep-nesting", string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth), $"{depth} nested objects", refuse: true);
    }

    /// <summary>A value of every JSON type, to give a member the types its schema does not admit.</summary>
    public static HostileValue OfType(string type) => type switch
    {
        "string" => Raw("type.string", "\"fuzz\"", "a string", refuse: true),
        "number" => Raw("type.number", "1.5", "a fractional number", refuse: true),
        "integer" => Raw("type.integer", "7", "an integer", refuse: true),
        "boolean" => Raw("type.boolean", "true", "true", refuse: true),
        "null" => Raw("type.null", "null", "null", refuse: true),
        "object" => Raw("type.object", "{\"fuzz\":1}", "an object", refuse: true),
        "array" => Raw("type.array", "[1]", "an array", refuse: true),
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, null),
    };

    public static HostileValue Raw(string kind, string json, string description, bool refuse, bool nameField = false) =>
        new(kind, Utf8.GetBytes(json), description, refuse, nameField);

    /// <summary>This value inside an object, as a member's value or as its name (attributes, metadata, variables).</summary>
    public HostileValue InObject(bool asKey)
    {
        if (!asKey)
            return this with { Json = [.. "{\"fuzz\":"u8, .. Json, .. "}"u8], Description = $"{{\"fuzz\": {Description}}}" };
        // Only strings can be names.
        return this with { Json = [.. "{"u8, .. Json, .. ":\"v\"}"u8], Description = $"{{{Description}: \"v\"}}" };
    }

    public bool IsString => Json.Length > 0 && Json[0] == (byte)'"';

    static HostileValue Escaped(string kind, string content, bool refuse) =>
        Raw(kind, $"\"{content}\"", $"\"{content}\"", refuse, nameField: refuse);

    static HostileValue InvalidUtf8(Random random)
    {
        // A broken two-byte sequence, a byte that never occurs in UTF-8, an overlong '/', and a UTF-16 surrogate encoded as UTF-8.
        byte[][] sequences = [[0xC3, 0x28], [0xFF], [0xC0, 0xAF], [0xED, 0xA0, 0x80]];
        var bad = sequences[random.Next(sequences.Length)];
        return new HostileValue("string.invalid-utf8", [.. "\"fuzz"u8, .. bad, .. "\""u8],
            $"\"fuzz<{Convert.ToHexString(bad)}>\" (invalid UTF-8)", Refuse: true, NameField: true);
    }

    static HostileValue Long(Random random)
    {
        int[] lengths = [100_000, 300_000, 1_000_000, 3_000_000];
        var length = lengths[random.Next(lengths.Length)];
        return Raw("string.long", $"\"{new string('x', length)}\"", string.Create(CultureInfo.InvariantCulture, $"a string of {length:N0} characters"), refuse: true);
    }
}
