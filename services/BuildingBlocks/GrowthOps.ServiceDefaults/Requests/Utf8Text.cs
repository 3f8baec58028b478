using System.Buffers;
using System.Text;
using System.Text.Unicode;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// What "storable text" means at the edge: valid UTF-8 (so no unpaired UTF-16 surrogate either) without NUL, which PostgreSQL
/// refuses in <c>text</c> (22021) and <c>jsonb</c> (22P05) and .NET cannot always read back. Percent-encoded text (paths, query
/// strings) is judged by the bytes it decodes to.
/// </summary>
public static class Utf8Text
{
    public const string NulReason = "contains a NUL character, which cannot be stored";

    public const string InvalidReason = "is not valid Unicode text (invalid UTF-8 or an unpaired UTF-16 surrogate)";

    /// <summary>Why <paramref name="utf8"/> is refused, or null.</summary>
    public static string? Check(ReadOnlySpan<byte> utf8) =>
        utf8.Contains((byte)0) ? NulReason : Utf8.IsValid(utf8) ? null : InvalidReason;

    /// <summary>The most bytes <see cref="Decode"/> writes for <paramref name="encodedLength"/> characters.</summary>
    public static int MaxDecodedLength(int encodedLength) => encodedLength * 3; // a BMP character outside ASCII is three bytes

    /// <summary>
    /// Decodes <c>%XX</c> escapes (and <c>+</c> as a space when <paramref name="plusIsSpace"/>, as in query strings) into
    /// <paramref name="destination"/> and returns the length. Characters outside ASCII (only in-process test servers pass them
    /// undecoded) are taken as their UTF-8; an unpaired surrogate becomes an invalid byte, so that <see cref="Check"/> refuses it.
    /// </summary>
    public static int Decode(ReadOnlySpan<char> encoded, bool plusIsSpace, Span<byte> destination)
    {
        var length = 0;
        for (var i = 0; i < encoded.Length; i++)
        {
            var c = encoded[i];
            if (c == '%' && i + 2 < encoded.Length && char.IsAsciiHexDigit(encoded[i + 1]) && char.IsAsciiHexDigit(encoded[i + 2]))
            {
                destination[length++] = (byte)((HexValue(encoded[i + 1]) << 4) | HexValue(encoded[i + 2]));
                i += 2;
            }
            else if (c < 0x80)
                destination[length++] = c == '+' && plusIsSpace ? (byte)' ' : (byte)c;
            else if (Rune.DecodeFromUtf16(encoded[i..], out var rune, out var consumed) == OperationStatus.Done)
            {
                length += rune.EncodeToUtf8(destination[length..]);
                i += consumed - 1;
            }
            else
                destination[length++] = 0xFF;
        }

        return length;
    }

    static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;
}
