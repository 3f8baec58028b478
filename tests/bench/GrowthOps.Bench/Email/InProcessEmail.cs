using System.Net.Http.Headers;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Email;
using GrowthOps.ServiceDefaults;
using GrowthOps.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Bench.Email;

/// <summary>
/// The whole Email service (its Program: service defaults, read models, consumers, campaign scheduler, sending workers,
/// tracking, outbox relay, API) inside the benchmark process, called over HTTP on its own port like a client would.
/// </summary>
sealed class InProcessEmail : IAsyncDisposable
{
    public const string SigningKey = "growthops-bench-signing-key-0123456789abcdefghij";

    readonly WebApplication _app;

    InProcessEmail(WebApplication app) => _app = app;

    public IServiceProvider Services => _app.Services;
    public string BaseUrl => _app.Urls.First();

    public static async Task<InProcessEmail> StartAsync(BenchDatabase database, BenchVirtualHost vhost, IDictionary<string, string?> extra,
        CancellationToken ct)
    {
        var settings = BenchHosts.ServiceSettings(database, vhost);
        settings["Auth:SigningKey"] = SigningKey;
        settings["Email:PublicBaseUrl"] = "http://email.bench.test";
        settings["Email:LinkSigningKey"] = "growthops-bench-link-signing-key-0123456789abcdef";
        settings["Email:Providers:SecretsKey"] = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));
        settings["Email:Smtp:Host"] = BenchEnvironment.SmtpHost;
        settings["Email:Smtp:Port"] = BenchEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (var (key, value) in extra)
            settings[key] = value;
        var builder = BenchWebApps.Builder("GrowthOps.Email", settings);
        builder.AddServiceDefaults(GrowthOps.Email.Extensions.ServiceName);
        builder.AddEmail();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapEmailApi();
        await app.StartAsync(ct);
        return new InProcessEmail(app);
    }

    /// <summary>A client of the service's API as <paramref name="tenant"/>.</summary>
    public HttpClient ClientFor(Guid tenant)
    {
        var client = new HttpClient { BaseAddress = new Uri(BaseUrl), Timeout = TimeSpan.FromMinutes(5) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant, SigningKey));
        return client;
    }

    public ValueTask DisposeAsync() => BenchWebApps.StopQuietlyAsync(_app, "the in-process Email service");
}
