using System.Collections.Concurrent;
using GrowthOps.Email.Domain.Sending;

namespace GrowthOps.Email.Integrations.Smtp;

/// <summary>One <see cref="SmtpProvider"/> (and its pool of connections) per server, for the life of the process.</summary>
public sealed class SmtpProviderFactory(ILoggerFactory loggers) : IAsyncDisposable
{
    readonly ConcurrentDictionary<SmtpServer, SmtpProvider> providers = new();

    public IEmailProvider For(SmtpServer server) =>
        providers.GetOrAdd(server, s => new SmtpProvider(s, loggers.CreateLogger<SmtpProvider>()));

    public async ValueTask DisposeAsync()
    {
        foreach (var provider in providers.Values)
            await provider.DisposeAsync();
    }
}
