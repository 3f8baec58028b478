using System.Collections.Concurrent;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Providers;

/// <summary>
/// Email with Postmark as the platform default, pointed at a <see cref="PostmarkFake"/>. The SMTP provider is the pipeline's
/// (not on this branch): <see cref="SmtpFactory"/> stands at its seam and records the relay settings it is asked for.
/// </summary>
public sealed class ProvidersApp : EmailApp
{
    public PostmarkFake Postmark { get; } = new("platform-token");

    public RecordingSmtpFactory SmtpFactory { get; } = new();

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Email:Providers:Default"] = "postmark",
        ["Email:Postmark:BaseUrl"] = Postmark.Url,
        ["Email:Postmark:ServerToken"] = Postmark.ServerToken,
        ["Email:Postmark:Timeout"] = "00:00:05",
    };

    protected override void Configure(IWebHostBuilder builder) =>
        builder.ConfigureTestServices(services => services.AddSingleton<ISmtpProviderFactory>(SmtpFactory));

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        Postmark.Dispose();
    }

    /// <summary>Answers a provider named after the relay (<c>smtp:host:port</c>) and keeps the settings it was given.</summary>
    public sealed class RecordingSmtpFactory : ISmtpProviderFactory
    {
        public ConcurrentQueue<SmtpSettings> Asked { get; } = new();

        public IEmailProvider For(SmtpSettings settings)
        {
            Asked.Enqueue(settings);
            return new NamedProvider($"smtp:{settings.Host}:{settings.Port}");
        }
    }

    sealed class NamedProvider(string name) : IEmailProvider
    {
        public string Name => name;

        public Task<IReadOnlyList<SendOutcome>> SendAsync(IReadOnlyList<OutgoingEmail> batch, CancellationToken ct) =>
            throw new NotSupportedException("Only resolved here, never sent through.");
    }
}
