using System.Globalization;
using System.Text;

namespace GrowthOps.Testing.Fuzzing;

/// <summary>A request as sent and what came back, printable so a failure can be replayed by hand.</summary>
public sealed record FuzzExchange(
    string Method, string Target, IReadOnlyList<KeyValuePair<string, string>> Headers, byte[]? Body,
    int? Status, string? MediaType, string ResponseBody, TimeSpan Elapsed, string? Error)
{
    const int Excerpt = 600;

    public override string ToString()
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"    {Method} {Shorten(Target, 300)}\n");
        foreach (var (name, value) in Headers)
            text.Append(CultureInfo.InvariantCulture, $"    {name}: {Shorten(value, 120)}\n");
        if (Body is { } body)
            text.Append(CultureInfo.InvariantCulture, $"    body ({body.Length:N0} bytes): {BodyExcerpt(body)}\n");
        text.Append(Error is null
            ? string.Create(CultureInfo.InvariantCulture, $"    → {Status} {MediaType ?? "(no content type)"} in {Elapsed.TotalMilliseconds:F0} ms: {Shorten(ResponseBody, Excerpt)}")
            : string.Create(CultureInfo.InvariantCulture, $"    → no answer after {Elapsed.TotalMilliseconds:F0} ms: {Error}"));
        return text.ToString();
    }

    /// <summary>The body's start, with bytes that are not printable ASCII escaped so NULs, surrogates and broken UTF-8 show.</summary>
    static string BodyExcerpt(byte[] body)
    {
        var text = new StringBuilder();
        foreach (var b in body.Take(Excerpt))
            text.Append(b is >= 0x20 and < 0x7F ? ((char)b).ToString() : string.Create(CultureInfo.InvariantCulture, $"\\x{b:X2}"));
        if (body.Length > Excerpt)
            text.Append(CultureInfo.InvariantCulture, $"… (+{body.Length - Excerpt:N0} bytes)");
        return text.ToString();
    }

    static string Shorten(string text, int max) =>
        text.Length <= max ? text : string.Create(CultureInfo.InvariantCulture, $"{text[..max]}… ({text.Length:N0} chars)");
}
