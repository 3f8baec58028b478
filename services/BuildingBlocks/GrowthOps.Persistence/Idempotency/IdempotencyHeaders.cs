using Microsoft.Extensions.Primitives;

namespace GrowthOps.Persistence.Idempotency;

/// <summary>
/// The headers of the IETF httpapi draft "The Idempotency-Key HTTP Header Field". The key is a structured-field string
/// (<c>Idempotency-Key: "8e03978e-40d5-43e8-bc93-6894a57f9324"</c>); the bare form (<c>Idempotency-Key: 8e03…</c>) that many
/// clients send is accepted too and means the same key.
/// </summary>
public static class IdempotencyHeaders
{
    public const string Key = "Idempotency-Key";

    /// <summary>Set on a response that was stored for an earlier request with the same key and is sent again.</summary>
    public const string Replayed = "Idempotent-Replayed";

    public const int MaxKeyLength = 255;

    /// <summary>The key in <paramref name="values"/>, or a reason for the client why it is not one.</summary>
    public static bool TryParseKey(StringValues values, out string key, out string error)
    {
        key = "";
        if (values.Count != 1)
        {
            error = $"Send one {Key} header.";
            return false;
        }

        var raw = values[0] ?? "";
        if (raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"')
        {
            if (!TryUnquote(raw.AsSpan(1, raw.Length - 2), out key))
            {
                error = $"The {Key} is not a valid quoted string: inside the quotes only printable ASCII, with \\\" and \\\\ as escapes.";
                return false;
            }
        }
        else
        {
            key = raw;
            foreach (var c in key)
                // A quote here is a quoted string that does not end with one.
                if (c is < '!' or > '~' or '"')
                {
                    error = $"The {Key} must be printable ASCII without spaces or quotes, or a quoted string.";
                    return false;
                }
        }

        if (key.Length is 0 or > MaxKeyLength)
        {
            error = $"The {Key} must be between 1 and {MaxKeyLength} characters.";
            return false;
        }

        error = "";
        return true;
    }

    /// <summary>The content of an RFC 8941 sf-string (between its quotes).</summary>
    static bool TryUnquote(ReadOnlySpan<char> quoted, out string value)
    {
        value = "";
        var result = new System.Text.StringBuilder(quoted.Length);
        for (var i = 0; i < quoted.Length; i++)
        {
            var c = quoted[i];
            if (c == '\\')
            {
                if (++i == quoted.Length || quoted[i] is not ('"' or '\\'))
                    return false;
                result.Append(quoted[i]);
            }
            else if (c is < ' ' or > '~' or '"')
            {
                return false;
            }
            else
            {
                result.Append(c);
            }
        }

        value = result.ToString();
        return true;
    }
}
