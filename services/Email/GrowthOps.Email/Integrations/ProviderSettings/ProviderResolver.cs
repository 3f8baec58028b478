using System.Collections.Concurrent;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations.Postmark;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Secrets;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Integrations;

/// <summary>
/// The tenant's own provider (<c>email.providers</c>, read in a short transaction of the tenant) or the platform default
/// (<see cref="ProvidersOptions.Default"/>), kept for <see cref="ProvidersOptions.CacheDuration"/>: the pipeline asks once per
/// batch, and a read per batch of a broadcast is a round trip saved for nothing. A change through the API is seen at once
/// by this instance (<see cref="Forget"/>), by others within the cache duration.
/// </summary>
public sealed class ProviderResolver(
    IServiceScopeFactory scopes,
    IPostmarkApi postmark,
    ISmtpProviderFactory smtp,
    TenantSecretBox secrets,
    IOptions<ProvidersOptions> options,
    IOptions<PostmarkOptions> postmarkOptions,
    IConfiguration configuration,
    TimeProvider clock) : IEmailProviderResolver
{
    readonly ConcurrentDictionary<Guid, (IEmailProvider Provider, DateTimeOffset Until)> _cache = new();
    IEmailProvider? _platform;

    public async ValueTask<IEmailProvider> ResolveAsync(Guid tenantId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(tenantId, out var cached) && cached.Until > now)
            return cached.Provider;

        var provider = await ReadAsync(tenantId, ct) is { } row ? ForTenant(tenantId, row) : Platform();
        _cache[tenantId] = (provider, now + options.Value.CacheDuration);
        return provider;
    }

    /// <summary>Drops the tenant's cached provider (its settings changed).</summary>
    public void Forget(Guid tenantId) => _cache.TryRemove(tenantId, out _);

    /// <summary>The platform's own provider, for tenants without settings.</summary>
    public IEmailProvider Platform() => _platform ??= options.Value.Default == PostmarkProvider.ProviderName
        ? new PostmarkProvider(postmark, postmarkOptions.Value.ServerToken ?? "", postmarkOptions.Value.MessageStream, postmarkOptions.Value.BroadcastStream)
        : smtp.For(PlatformSmtp(configuration));

    /// <summary>The platform relay, <c>Email:Smtp</c> (the SMTP provider's own section).</summary>
    public static SmtpSettings PlatformSmtp(IConfiguration configuration)
    {
        var section = configuration.GetSection("Email:Smtp");
        return new SmtpSettings(section["Host"] ?? "127.0.0.1", section.GetValue("Port", 25), NullIfEmpty(section["Username"]),
            NullIfEmpty(section["Password"]), section.GetValue("UseTls", false));
    }

    IEmailProvider ForTenant(Guid tenantId, ProviderRow row)
    {
        if (row.Kind == PostmarkProvider.ProviderName)
            return new PostmarkProvider(postmark, secrets.Open(row.ServerToken!, tenantId), row.MessageStream ?? postmarkOptions.Value.MessageStream,
                row.BroadcastStream ?? postmarkOptions.Value.BroadcastStream);
        return smtp.For(new SmtpSettings(row.Host!, row.Port!.Value, row.Username, row.Password is { } p ? secrets.Open(p, tenantId) : null, row.UseTls));
    }

    async Task<ProviderRow?> ReadAsync(Guid tenantId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenantId, ct);
        var row = await scope.ServiceProvider.GetRequiredService<ProvidersStore>().GetAsync(ct);
        await unitOfWork.CommitAsync(ct);
        return row;
    }

    static string? NullIfEmpty(string? value) => string.IsNullOrEmpty(value) ? null : value;
}
