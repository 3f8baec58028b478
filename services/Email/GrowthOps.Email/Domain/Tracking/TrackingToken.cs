using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// The signed tokens of the open pixel and the click redirect: <c>base64url(kind ‖ tenant ‖ message ‖ url ‖ mac)</c>, where
/// mac is HMAC-SHA256 over everything before it with <see cref="EmailOptions.LinkSigningKey"/>, truncated to 128 bits (as
/// strong against forgery as anyone can try online, and 22 characters shorter per link). The kind byte keeps a token of
/// one purpose from verifying as another (an open token is no click token, and neither is an unsubscribe link). The URL is
/// inside the signature, so a click token can only ever redirect to the address the email carried.
/// </summary>
public sealed class TrackingToken
{
    public const byte Open = (byte)'o';
    public const byte Click = (byte)'c';
    const int MacLength = 16;
    const int HeaderLength = 1 + 16 + 16;

    readonly byte[] key;

    /// <summary>
    /// A keyed HMAC per thread: reusing it skips hashing the key's pads on every link, which halves the cost of signing (the
    /// decorator signs every link of every email of a broadcast).
    /// </summary>
    readonly ThreadLocal<IncrementalHash> hmac;

    public TrackingToken(IOptions<EmailOptions> options)
    {
        key = Encoding.UTF8.GetBytes(options.Value.LinkSigningKey);
        hmac = new ThreadLocal<IncrementalHash>(() => IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key));
    }

    public sealed record Verified(Guid TenantId, Guid MessageId, string? Url);

    public string ForOpen(Guid tenantId, Guid messageId) => Sign(Open, tenantId, messageId, null);

    public string ForClick(Guid tenantId, Guid messageId, string url) => Sign(Click, tenantId, messageId, url);

    string Sign(byte kind, Guid tenantId, Guid messageId, string? url)
    {
        var urlLength = url is null ? 0 : Encoding.UTF8.GetByteCount(url);
        var length = HeaderLength + urlLength + MacLength;
        Span<byte> buffer = length <= 1024 ? stackalloc byte[length] : new byte[length];
        buffer[0] = kind;
        tenantId.TryWriteBytes(buffer[1..17]);
        messageId.TryWriteBytes(buffer[17..33]);
        if (url is not null)
            Encoding.UTF8.GetBytes(url, buffer[HeaderLength..]);
        Span<byte> mac = stackalloc byte[32];
        Mac(buffer[..^MacLength], mac);
        mac[..MacLength].CopyTo(buffer[^MacLength..]);
        return Base64Url.EncodeToString(buffer);
    }

    void Mac(ReadOnlySpan<byte> data, Span<byte> destination)
    {
        var h = hmac.Value!;
        h.AppendData(data);
        h.GetHashAndReset(destination);
    }

    /// <summary>The token's content when it is one of <paramref name="kind"/> and its signature holds; null otherwise.</summary>
    public Verified? Verify(byte kind, string? token)
    {
        if (string.IsNullOrEmpty(token) || token.Length > 16 * 1024)
            return null;
        var bytes = new byte[Base64Url.GetMaxDecodedLength(token.Length)];
        if (Base64Url.DecodeFromChars(token, bytes, out _, out var written) != System.Buffers.OperationStatus.Done)
            return null;
        var data = bytes.AsSpan(0, written);
        if (data.Length < HeaderLength + MacLength || data[0] != kind || (kind == Open) != (data.Length == HeaderLength + MacLength))
            return null;
        Span<byte> mac = stackalloc byte[32];
        Mac(data[..^MacLength], mac);
        if (!CryptographicOperations.FixedTimeEquals(mac[..MacLength], data[^MacLength..]))
            return null;
        // One spelling per token: base64's unused trailing bits would otherwise let the same token be written several ways.
        if (!string.Equals(Base64Url.EncodeToString(data), token, StringComparison.Ordinal))
            return null;
        return new Verified(new Guid(data[1..17]), new Guid(data[17..33]),
            kind == Click ? Encoding.UTF8.GetString(data[HeaderLength..^MacLength]) : null);
    }
}
