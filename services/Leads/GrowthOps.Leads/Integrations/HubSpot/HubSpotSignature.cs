using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace GrowthOps.Leads.Integrations.HubSpot;

/// <summary>
/// HubSpot's request signatures (developers.hubspot.com, "Validating requests"):
/// <list type="bullet">
/// <item>v3 (<c>X-HubSpot-Signature-v3</c> + <c>X-HubSpot-Request-Timestamp</c>, ms since the epoch): base64 of
/// HMAC-SHA256(client secret, method + URI + body + timestamp); older than <see cref="MaxAge"/> is refused (replay).</item>
/// <item>v2 (<c>X-HubSpot-Signature</c>, <c>X-HubSpot-Signature-Version: v2</c>): hex SHA-256 of secret + method + URI + body.</item>
/// <item>v1 (<c>X-HubSpot-Signature</c>, version v1 or absent): hex SHA-256 of secret + body.</item>
/// </list>
/// The URI is the public one HubSpot called, including scheme and query. Everything is hashed as bytes (UTF-8 text,
/// raw body bytes as received) and compared in constant time.
/// </summary>
public static class HubSpotSignature
{
    public const string V3Header = "X-HubSpot-Signature-v3";
    public const string TimestampHeader = "X-HubSpot-Request-Timestamp";
    public const string SignatureHeader = "X-HubSpot-Signature";
    public const string VersionHeader = "X-HubSpot-Signature-Version";

    public static readonly TimeSpan MaxAge = TimeSpan.FromMinutes(5);

    public sealed record Headers(string? V3, string? Timestamp, string? Signature, string? Version);

    /// <summary>
    /// What is wrong with the signature headers alone — missing, an unknown version, a v3 timestamp that is not a number or more
    /// than <see cref="MaxAge"/> off — or null. Needs no secret, so a request failing it is refused before its body is read.
    /// </summary>
    public static string? CheckHeaders(Headers headers, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(headers);
        // A timestamp means HubSpot signed with v3; then only v3 counts (the older versions carry no timestamp, so
        // accepting them alongside would let a replayed request skip the age check).
        if (IsV3(headers))
        {
            if (string.IsNullOrEmpty(headers.V3) || string.IsNullOrEmpty(headers.Timestamp))
                return $"A v3 signature needs both {V3Header} and {TimestampHeader}.";
            if (!long.TryParse(headers.Timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var ms))
                return $"{TimestampHeader} is not a number of milliseconds.";
            var age = now - DateTimeOffset.FromUnixTimeMilliseconds(Math.Min(ms, DateTimeOffset.MaxValue.ToUnixTimeMilliseconds()));
            return age > MaxAge || age < -MaxAge ? $"{TimestampHeader} is more than {MaxAge.TotalMinutes:0} minutes from the server's clock." : null;
        }

        if (string.IsNullOrEmpty(headers.Signature))
            return $"The request carries no HubSpot signature ({V3Header} or {SignatureHeader}).";
        return Version(headers) is null or "" or "v1" or "v2" ? null : $"Unknown {VersionHeader} '{Version(headers)}'.";
    }

    /// <summary>Null when the request is authentic; otherwise why not (for the log and the 401 detail, never containing the secret).</summary>
    public static string? Verify(string secret, string method, string uri, ReadOnlySpan<byte> body, Headers headers, DateTimeOffset now)
    {
        if (CheckHeaders(headers, now) is { } refused)
            return refused;
        if (IsV3(headers))
            return Matches(ComputeV3(secret, method, DecodeForV3(uri), body, headers.Timestamp!), headers.V3!, hex: false)
                ? null
                : "The v3 signature does not match.";
        return Version(headers) == "v2"
            ? Matches(ComputeV2(secret, method, uri, body), headers.Signature!, hex: true) ? null : "The v2 signature does not match."
            : Matches(ComputeV1(secret, body), headers.Signature!, hex: true) ? null : "The v1 signature does not match.";
    }

    static bool IsV3(Headers headers) => !string.IsNullOrEmpty(headers.V3) || !string.IsNullOrEmpty(headers.Timestamp);

    static string? Version(Headers headers) => headers.Version?.Trim().ToLowerInvariant();

    public static string ComputeV3(string secret, string method, string uri, ReadOnlySpan<byte> body, string timestamp) =>
        Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Concat(method + uri, body, timestamp)));

    public static string ComputeV2(string secret, string method, string uri, ReadOnlySpan<byte> body) =>
        Convert.ToHexStringLower(SHA256.HashData(Concat(secret + method + uri, body, "")));

    public static string ComputeV1(string secret, ReadOnlySpan<byte> body) => Convert.ToHexStringLower(SHA256.HashData(Concat(secret, body, "")));

    static byte[] Concat(string before, ReadOnlySpan<byte> body, string after)
    {
        var head = Encoding.UTF8.GetBytes(before);
        var tail = Encoding.UTF8.GetBytes(after);
        var all = new byte[head.Length + body.Length + tail.Length];
        head.CopyTo(all, 0);
        body.CopyTo(all.AsSpan(head.Length));
        tail.CopyTo(all, head.Length + body.Length);
        return all;
    }

    /// <summary>Constant time in the content (a length mismatch may return early: lengths are public). Hex ignores case.</summary>
    static bool Matches(string expected, string actual, bool hex) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(expected),
            Encoding.UTF8.GetBytes(hex ? actual.Trim().ToLowerInvariant() : actual.Trim()));

    /// <summary>
    /// The request URI as HubSpot signs it for v3 (applied by <see cref="Verify"/>): the characters in HubSpot's table (<c>: / ? @ ! $ ' ( ) * , ;</c>) are
    /// decoded when percent-encoded; anything else stays as sent.
    /// </summary>
    public static string DecodeForV3(string uri)
    {
        if (!uri.Contains('%', StringComparison.Ordinal))
            return uri;
        var sb = new StringBuilder(uri.Length);
        for (var i = 0; i < uri.Length; i++)
        {
            if (uri[i] == '%' && i + 2 < uri.Length && byte.TryParse(uri.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var b)
                && (char)b is ':' or '/' or '?' or '@' or '!' or '$' or '\'' or '(' or ')' or '*' or ',' or ';')
            {
                sb.Append((char)b);
                i += 2;
            }
            else
            {
                sb.Append(uri[i]);
            }
        }

        return sb.ToString();
    }
}
