using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>
/// The HTTP basic auth Postmark sends with webhooks when their URL carries credentials (<c>https://user:pass@host/…</c>):
/// generated passwords, their hash, and the check of an <c>Authorization</c> header.
/// </summary>
public static class PostmarkBasicAuth
{
    public const string Realm = "GrowthOps Email webhooks";

    /// <summary>32 random bytes, base64url: no character that needs escaping in a URL's user info.</summary>
    public static string NewPassword() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string password) => SHA256.HashData(Encoding.UTF8.GetBytes(password));

    /// <summary>The user name and password of a <c>Basic</c> Authorization header; null when there is none or it is malformed.</summary>
    public static (string User, string Password)? Read(string? header)
    {
        if (header is null || !header.StartsWith("Basic ", StringComparison.OrdinalIgnoreCase))
            return null;
        try
        {
            var decoded = Encoding.UTF8.GetString(Convert.FromBase64String(header[6..].Trim()));
            var colon = decoded.IndexOf(':', StringComparison.Ordinal);
            return colon < 0 ? null : (decoded[..colon], decoded[(colon + 1)..]);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>Both compared in constant time, so that neither leaks through timing.</summary>
    public static bool Matches((string User, string Password) given, string user, byte[] passwordHash) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given.User)), SHA256.HashData(Encoding.UTF8.GetBytes(user)))
        & CryptographicOperations.FixedTimeEquals(Hash(given.Password), passwordHash);
}
