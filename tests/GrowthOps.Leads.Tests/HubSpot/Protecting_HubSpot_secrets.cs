using System.Security.Cryptography;
using System.Text;
using GrowthOps.Leads.Integrations;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Tests.HubSpot;

public sealed class Protecting_HubSpot_secrets
{
    static readonly SecretProtector Protector = new(Options.Create(new LeadsOptions
    {
        SecretsKey = Convert.ToBase64String("0123456789abcdef0123456789abcdef"u8.ToArray()),
    }));

    [Fact]
    public void Round_trips_with_a_fresh_nonce_and_never_stores_the_plaintext()
    {
        var tenant = Guid.NewGuid();
        var a = Protector.Protect("s3cret-value", tenant);
        var b = Protector.Protect("s3cret-value", tenant);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain("s3cret-value", Encoding.Latin1.GetString(a), StringComparison.Ordinal);
        Assert.Equal("s3cret-value", Protector.Unprotect(a, tenant));
    }

    [Fact]
    public void Refuses_tampered_data_and_another_tenants_ciphertext()
    {
        var tenant = Guid.NewGuid();
        var data = Protector.Protect("s3cret-value", tenant);
        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect(data, Guid.NewGuid()));
        data[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Protector.Unprotect(data, tenant));
    }

    [Fact]
    public void Needs_a_32_byte_key()
    {
        Assert.Null(SecretProtector.TryDecodeKey(Convert.ToBase64String(new byte[16])));
        Assert.Null(SecretProtector.TryDecodeKey("not base64!"));
        Assert.Null(SecretProtector.TryDecodeKey(""));
        Assert.NotNull(SecretProtector.TryDecodeKey(Convert.ToBase64String(new byte[32])));
    }
}
