using System.Collections.Concurrent;
using GrowthOps.Email.Domain.Sending;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Integrations.Smtp;

/// <summary>
/// One <see cref="SmtpProvider"/> (and its pool of connections) per server, for the life of the process. A tenant's relay
/// gets the pool size and timeout of the platform's <see cref="SmtpOptions"/>.
/// </summary>
public sealed class SmtpProviderFactory(ILoggerFactory loggers, IOptions<SmtpOptions> options) : ISmtpProviderFactory, IAsyncDisposable
{
    readonly ConcurrentDictionary<SmtpServer, SmtpProvider> providers = new();

    public IEmailProvider For(SmtpSettings settings) =>
        For(new SmtpServer(settings.Host, settings.Port, settings.Username, settings.Password, settings.UseTls, options.Value.PoolSize,
            options.Value.Timeout));

    public IEmailProvider For(SmtpServer server) =>
        providers.GetOrAdd(server, s => new SmtpProvider(s, loggers.CreateLogger<SmtpProvider>()));

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in providers.Values)
            await provider.DisposeAsync();
    }
}
