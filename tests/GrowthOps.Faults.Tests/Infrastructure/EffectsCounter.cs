using GrowthOps.Messaging;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// A small service in the test process, on the building blocks exactly like a real one (its own schema and role, the
/// inbox, the outbox, the scheduler, retries and redelivery): it consumes Leads' events and writes one effect row per
/// message, so at-least-once delivery is absorbed as in production and what remains is what a real service would see.
/// It lives through the faults too — nobody restarts it.
/// </summary>
public sealed class EffectsCounter : IAsyncDisposable
{
    public const string Schema = "faults";

    readonly IHost _host;

    EffectsCounter(IHost host, CapturedLog log)
    {
        _host = host;
        Log = log;
    }

    public CapturedLog Log { get; }

    public BusHealthStatus Health => _host.Services.GetRequiredService<IBusControl>().CheckHealth().Status;

    public static async Task<EffectsCounter> StartAsync(string connectionString, int rabbitPort, string vhost)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production", DisableDefaults = true });
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = connectionString,
            ["RabbitMq:Host"] = "127.0.0.1",
            ["RabbitMq:Port"] = rabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = vhost,
            ["RabbitMq:Username"] = OwnRabbit.User,
            ["RabbitMq:Password"] = OwnRabbit.Password,
        });
        var log = new CapturedLog();
        builder.Logging.AddProvider(log);
        builder.Services.AddScoped<CurrentTenant>();
        builder.Services.AddScoped<EffectWriter>();
        builder.AddPostgres(Schema, typeof(EffectsCounter).Assembly);
        builder.AddMessaging(Schema, x =>
        {
            x.AddConsumer<ContactUpdatedCounter>();
            x.AddConsumer<LeadStateChangedCounter>();
            x.AddConsumer<LeadWentDormantCounter>();
            x.AddConsumer<ActivityRecordedCounter>();
        });
        // Its queues must be bound before Leads publishes the first event.
        builder.Services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        var host = builder.Build();
        await host.StartAsync();
        return new EffectsCounter(host, log);
    }

    public async ValueTask DisposeAsync()
    {
        using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _host.StopAsync(cts.Token);
        _host.Dispose();
    }
}
