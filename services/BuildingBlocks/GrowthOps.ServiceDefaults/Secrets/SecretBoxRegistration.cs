using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Secrets;

/// <summary>How a service registers its <see cref="TenantSecretBox"/>: the key from its options, checked when the service starts.</summary>
public static class SecretBoxRegistration
{
    /// <summary>
    /// One box per process under the key <paramref name="key"/> reads from <typeparamref name="TOptions"/>; a key that is not base64
    /// of 32 bytes stops the service at start, naming <paramref name="setting"/> (<c>Cortex:SecretsKey</c>). The options builder is
    /// returned for the service's own checks.
    /// </summary>
    public static OptionsBuilder<TOptions> AddTenantSecretBox<TOptions>(this IServiceCollection services, string setting, Func<TOptions, string?> key)
        where TOptions : class
    {
        services.TryAddSingleton(sp => new TenantSecretBox(key(sp.GetRequiredService<IOptions<TOptions>>().Value), setting));
        return services.AddOptions<TOptions>()
            .Validate(o => TenantSecretBox.TryDecodeKey(key(o)) is not null, $"{setting} must be base64 of 32 bytes.")
            .ValidateOnStart();
    }
}
