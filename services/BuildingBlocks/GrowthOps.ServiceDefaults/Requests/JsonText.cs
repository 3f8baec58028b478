using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// Finds, in one pass of <see cref="Utf8JsonReader"/> over the raw bytes (no document), the first string or property name that is
/// not storable text (<see cref="Utf8Text"/>): invalid UTF-8 as sent, or an escape that decodes to NUL (<c>\u0000</c>) or to an
/// unpaired surrogate (<c>\ud800</c>, which <c>GetString()</c> throws on). Its JSON path (<c>activities[0].type</c>) is built
/// only then, from the positions kept on the way.
/// </summary>
public static class JsonText
{
    const string RootPath = "body";

    // Deeper than any parser the services use (64 by default), so that nothing they read goes unchecked.
    const int MaxDepth = 1024;

    /// <summary>The first refused text, or null when all is fine or the body is not JSON (which the endpoint then reports).</summary>
    public static (string Path, string Reason)? FindInvalid(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth });
        var frames = new List<Frame>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        NextElement(frames);
                        frames.Add(new Frame(reader.TokenType == JsonTokenType.StartArray));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        frames.RemoveAt(frames.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        if (Check(ref reader) is { } nameReason)
                        {
                            // The object is to blame, not the property before this one.
                            frames[^1] = frames[^1] with { NameStart = -1 };
                            return (PathOf(json, frames), $"has a property name that {nameReason}");
                        }

                        frames[^1] = frames[^1] with { NameStart = (int)reader.TokenStartIndex };
                        break;
                    case JsonTokenType.String:
                        NextElement(frames);
                        if (Check(ref reader) is { } valueReason)
                            return (PathOf(json, frames), valueReason);
                        break;
                    default:
                        NextElement(frames);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: the endpoint's parser refuses it with its own 400; text after the fault is never read.
        }

        return null;
    }

    static string? Check(ref Utf8JsonReader reader)
    {
        // The reader refuses raw control characters (so a raw NUL) in strings, but does not validate UTF-8 or unescape.
        if (!reader.ValueIsEscaped)
            return Utf8.IsValid(reader.ValueSpan) ? null : Utf8Text.InvalidReason;

        // Unescaped, a string is never longer in UTF-16 code units than its escaped UTF-8 bytes.
        var length = reader.ValueSpan.Length;
        char[]? rented = null;
        var chars = length <= 256 ? stackalloc char[256] : (rented = ArrayPool<char>.Shared.Rent(length));
        try
        {
            return chars[..reader.CopyString(chars)].Contains('\0') ? Utf8Text.NulReason : null;
        }
        catch (InvalidOperationException)
        {
            return Utf8Text.InvalidReason;
        }
        finally
        {
            if (rented is not null)
                ArrayPool<char>.Shared.Return(rented);
        }
    }

    static void NextElement(List<Frame> frames)
    {
        if (frames is [.., { IsArray: true } array])
            frames[^1] = array with { Index = array.Index + 1 };
    }

    static string PathOf(ReadOnlySpan<byte> json, List<Frame> frames)
    {
        var path = new StringBuilder();
        foreach (var frame in frames)
        {
            if (frame.IsArray)
                path.Append('[').Append(frame.Index).Append(']');
            else if (frame.NameStart >= 0)
                AppendName(path, NameAt(json, frame.NameStart));
        }

        return path.Length > 0 ? path.ToString() : RootPath;
    }

    /// <summary>The property name whose token starts at <paramref name="start"/>, already checked readable.</summary>
    static string NameAt(ReadOnlySpan<byte> json, int start)
    {
        // Read as a lone string value: the reader stops after the token, before the ':' that follows.
        var reader = new Utf8JsonReader(json[start..]);
        reader.Read();
        return reader.GetString()!;
    }

    static void AppendName(StringBuilder path, string name)
    {
        if (name.Length > 0 && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '_' or '-' or '$'))
            path.Append(path.Length > 0 ? "." : "").Append(name);
        else
            path.Append("['").Append(name.Replace("'", "\\'", StringComparison.Ordinal)).Append("']");
    }

    /// <summary>An open object (its current property's token position, -1 before the first) or array (its current index).</summary>
    readonly record struct Frame(bool IsArray)
    {
        public int Index { get; init; } = -1;

        public int NameStart { get; init; } = -1;
    }
}
