using System.Security.Cryptography;
using System.Text;

namespace GrowthOps.ServiceDefaults.Secrets;

/// <summary>
/// Encrypts a tenant's secrets at rest (integration tokens, provider passwords) with AES-256-GCM under one service key.
/// Layout: version (1 byte) | nonce (12, random per encryption) | tag (16) | ciphertext. The tenant id is authenticated as
/// associated data, so a ciphertext copied into another tenant's row does not decrypt.
/// </summary>
public sealed class TenantSecretBox
{
    const byte Version = 1;
    const int NonceSize = 12;
    const int TagSize = 16;
    const int HeaderSize = 1 + NonceSize + TagSize;

    readonly byte[] _key;

    /// <param name="base64Key">Base64 of 32 bytes (the service's secrets key setting).</param>
    /// <param name="setting">The setting's name, for the error when the key is not such.</param>
    public TenantSecretBox(string? base64Key, string setting = "the secrets key")
    {
        _key = TryDecodeKey(base64Key) ?? throw new InvalidOperationException($"{setting} must be base64 of 32 bytes.");
    }

    /// <summary>The key bytes when <paramref name="base64"/> is base64 of exactly 32 bytes; null otherwise.</summary>
    public static byte[]? TryDecodeKey(string? base64)
    {
        if (string.IsNullOrWhiteSpace(base64))
            return null;
        var buffer = new byte[base64.Length];
        return Convert.TryFromBase64String(base64.Trim(), buffer, out var written) && written == 32 ? buffer[..32] : null;
    }

    public byte[] Seal(string secret, Guid tenantId)
    {
        var plaintext = Encoding.UTF8.GetBytes(secret);
        var result = new byte[HeaderSize + plaintext.Length];
        result[0] = Version;
        var nonce = result.AsSpan(1, NonceSize);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagSize);
        aes.Encrypt(nonce, plaintext, result.AsSpan(HeaderSize), result.AsSpan(1 + NonceSize, TagSize), tenantId.ToByteArray());
        CryptographicOperations.ZeroMemory(plaintext);
        return result;
    }

    /// <summary>The secret; throws <see cref="CryptographicException"/> when the data was tampered with, belongs to another tenant or another key.</summary>
    public string Open(byte[] sealedSecret, Guid tenantId)
    {
        if (sealedSecret.Length < HeaderSize || sealedSecret[0] != Version)
            throw new CryptographicException("Unknown sealed secret format.");
        var plaintext = new byte[sealedSecret.Length - HeaderSize];
        using var aes = new AesGcm(_key, TagSize);
        aes.Decrypt(sealedSecret.AsSpan(1, NonceSize), sealedSecret.AsSpan(HeaderSize), sealedSecret.AsSpan(1 + NonceSize, TagSize), plaintext,
            tenantId.ToByteArray());
        return Encoding.UTF8.GetString(plaintext);
    }
}
