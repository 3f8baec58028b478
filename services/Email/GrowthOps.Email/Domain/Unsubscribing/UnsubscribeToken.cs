using System.Buffers.Text;
using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Unsubscribing;

/// <summary>
/// The token of an unsubscribe link: tenant, message and address, signed with HMAC-SHA256 under
/// <see cref="EmailOptions.LinkSigningKey"/>, base64url. It carries the address so that the endpoint can verify it before it
/// touches the database (the tenant it then opens a transaction for comes from a checked signature, never from the caller).
/// <para>Layout: version (1 byte) · tenant (16) · message (16) · MAC (32) · address (UTF-8). The MAC covers a purpose label,
/// the version, tenant, message and the lower-cased address, so a tracking link's signature can never pass for an unsubscribe.</para>
/// </summary>
public sealed class UnsubscribeToken(IOptions<EmailOptions> options)
{
    public readonly record struct Claims(Guid TenantId, Guid MessageId, string Email);

    const byte Version = 1;
    const int MacLength = 32;
    const int HeaderLength = 1 + 16 + 16 + MacLength;
    const int MaxEmailBytes = 1024;
    static readonly byte[] Purpose = "growthops:email:unsubscribe:"u8.ToArray();

    readonly byte[] key = Encoding.UTF8.GetBytes(options.Value.LinkSigningKey);

    public string Create(Guid tenantId, Guid messageId, string email)
    {
        var address = Encoding.UTF8.GetBytes(email.Trim().ToLowerInvariant());
        var token = new byte[HeaderLength + address.Length];
        token[0] = Version;
        WriteGuid(tenantId, token.AsSpan(1, 16));
        WriteGuid(messageId, token.AsSpan(17, 16));
        address.CopyTo(token.AsSpan(HeaderLength));
        Mac(token, token.AsSpan(33, MacLength));
        return Base64Url.EncodeToString(token);
    }

    /// <summary>The token's claims when it is one this key signed; false for anything altered, truncated or made up.</summary>
    public bool TryVerify(string? text, [NotNullWhen(true)] out Claims? claims)
    {
        claims = null;
        if (string.IsNullOrEmpty(text) || text.Length > 2 * (HeaderLength + MaxEmailBytes))
            return false;
        byte[] token;
        try
        {
            token = Base64Url.DecodeFromChars(text);
        }
        catch (FormatException)
        {
            return false;
        }

        if (token.Length <= HeaderLength || token[0] != Version || !string.Equals(Base64Url.EncodeToString(token), text, StringComparison.Ordinal))
            return false;
        Span<byte> expected = stackalloc byte[MacLength];
        Mac(token, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, token.AsSpan(33, MacLength)))
            return false;
        string email;
        try
        {
            email = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(token, HeaderLength, token.Length - HeaderLength);
        }
        catch (DecoderFallbackException)
        {
            return false;
        }

        claims = new Claims(ReadGuid(token.AsSpan(1, 16)), ReadGuid(token.AsSpan(17, 16)), email);
        return true;
    }

    /// <summary>HMAC over purpose · version · tenant · message · address (everything but the MAC's own bytes).</summary>
    void Mac(byte[] token, Span<byte> destination)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
        hmac.AppendData(Purpose);
        hmac.AppendData(token, 0, 33);
        hmac.AppendData(token, HeaderLength, token.Length - HeaderLength);
        hmac.GetHashAndReset(destination);
    }

    static void WriteGuid(Guid id, Span<byte> destination) => id.TryWriteBytes(destination, bigEndian: true, out _);

    static Guid ReadGuid(ReadOnlySpan<byte> source) => new(source, bigEndian: true);
}
