using System.Security.Cryptography;
using System.Text;
using GrowthOps.ServiceDefaults.Secrets;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

/// <summary>The box that keeps tenants' integration and provider secrets (Leads' HubSpot secrets, Email's provider tokens).</summary>
public sealed class Sealing_tenant_secrets
{
    static readonly TenantSecretBox Protector = new(Convert.ToBase64String("0123456789abcdef0123456789abcdef"u8.ToArray()));

    [Fact]
    public void Round_trips_with_a_fresh_nonce_and_never_stores_the_plaintext()
    {
        var tenant = Guid.NewGuid();
        var a = Protector.Seal("s3cret-value", tenant);
        var b = Protector.Seal("s3cret-value", tenant);
        Assert.NotEqual(a, b);
        Assert.DoesNotContain("s3cret-value", Encoding.Latin1.GetString(a), StringComparison.Ordinal);
        Assert.Equal("s3cret-value", Protector.Open(a, tenant));
    }

    [Fact]
    public void Refuses_tampered_data_and_another_tenants_ciphertext()
    {
        var tenant = Guid.NewGuid();
        var data = Protector.Seal("s3cret-value", tenant);
        Assert.ThrowsAny<CryptographicException>(() => Protector.Open(data, Guid.NewGuid()));
        data[^1] ^= 1;
        Assert.ThrowsAny<CryptographicException>(() => Protector.Open(data, tenant));
    }

    [Fact]
    public void Refuses_another_keys_ciphertext()
    {
        var tenant = Guid.NewGuid();
        var data = Protector.Seal("s3cret-value", tenant);
        var other = new TenantSecretBox(Convert.ToBase64String(new byte[32]));
        Assert.ThrowsAny<CryptographicException>(() => other.Open(data, tenant));
    }

    [Fact]
    public void Needs_a_32_byte_key()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => new TenantSecretBox(Convert.ToBase64String(new byte[16]), "Leads:SecretsKey"));
        Assert.Contains("Leads:SecretsKey", refused.Message);
        Assert.Null(TenantSecretBox.TryDecodeKey(Convert.ToBase64String(new byte[16])));
        Assert.Null(TenantSecretBox.TryDecodeKey("not base64!"));
        Assert.Null(TenantSecretBox.TryDecodeKey(""));
        Assert.NotNull(TenantSecretBox.TryDecodeKey(Convert.ToBase64String(new byte[32])));
    }

    sealed class KeyOptions
    {
        public string? SecretsKey { get; set; }
    }

    [Fact]
    public void A_service_registers_one_box_under_its_key_and_a_bad_key_is_refused_naming_the_setting()
    {
        static ServiceProvider Services(string? key)
        {
            var services = new ServiceCollection();
            services.AddTenantSecretBox<KeyOptions>("Demo:SecretsKey", o => o.SecretsKey).Configure(o => o.SecretsKey = key);
            return services.BuildServiceProvider();
        }

        using var good = Services(Convert.ToBase64String("0123456789abcdef0123456789abcdef"u8.ToArray()));
        var box = good.GetRequiredService<TenantSecretBox>();
        Assert.Same(box, good.GetRequiredService<TenantSecretBox>());
        var tenant = Guid.NewGuid();
        Assert.Equal("x", Protector.Open(box.Seal("x", tenant), tenant)); // the same key: one service's secrets open anywhere it runs

        using var bad = Services("c2hvcnQ=");
        var refused = Assert.Throws<Microsoft.Extensions.Options.OptionsValidationException>(
            () => bad.GetRequiredService<Microsoft.Extensions.Options.IOptions<KeyOptions>>().Value);
        Assert.Contains("Demo:SecretsKey must be base64 of 32 bytes.", refused.Message);
    }
}
