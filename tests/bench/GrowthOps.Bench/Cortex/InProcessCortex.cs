using System.Net.Http.Headers;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Cortex;
using GrowthOps.ServiceDefaults;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Bench.Cortex;

/// <summary>The whole Cortex service (watcher, walker lanes, schedulers, outbox relay, API) inside the benchmark process.</summary>
sealed class InProcessCortex : IAsyncDisposable
{
    public const string SigningKey = "growthops-bench-signing-key-0123456789abcdefghij";

    readonly WebApplication _app;

    InProcessCortex(WebApplication app, Uri address)
    {
        _app = app;
        Address = address;
    }

    public IServiceProvider Services => _app.Services;

    public Uri Address { get; }

    /// <param name="walker">false: the watcher and API only (Cortex:Walker), so a phase measures matching and starting runs alone.</param>
    public static async Task<InProcessCortex> StartAsync(BenchDatabase database, BenchVirtualHost vhost, CancellationToken ct, bool walker = true)
    {
        var settings = BenchHosts.ServiceSettings(database, vhost);
        settings["Cortex:Walker"] = walker ? "true" : "false";
        settings["Auth:SigningKey"] = SigningKey;
        settings["Auth:Issuer"] = "growthops-dev";
        settings["Cortex:SecretsKey"] = Convert.ToBase64String("growthops-bench-cortex-secrets32"u8.ToArray());
        settings["Messaging:SchedulerPollInterval"] = "00:00:00.200";
        var builder = BenchWebApps.Builder("GrowthOps.Cortex", settings);
        builder.AddServiceDefaults(GrowthOps.Cortex.Extensions.ServiceName);
        builder.AddCortex();
        var app = builder.Build();
        app.UseServiceDefaults();
        app.MapCortexApi();
        await app.StartAsync(ct);
        var address = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        return new InProcessCortex(app, address);
    }

    public HttpClient ClientFor(Guid tenant)
    {
        var client = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(60) };
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", GrowthOps.Testing.TestTokens.For(tenant, SigningKey));
        return client;
    }

    public ValueTask DisposeAsync() => BenchWebApps.StopQuietlyAsync(_app, "the in-process Cortex service");
}
