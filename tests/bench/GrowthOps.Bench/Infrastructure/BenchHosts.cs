using GrowthOps.Messaging;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// Builds the hosts a benchmark runs in its own process: a GrowthOps service host (AddPostgres + AddMessaging, exactly the
/// building blocks a service uses, without the HTTP parts of ServiceDefaults) and a plain MassTransit host.
/// </summary>
public static class BenchHosts
{
    public const string Schema = "bench";

    public static Dictionary<string, string?> ServiceSettings(BenchDatabase database, BenchVirtualHost vhost) => new()
    {
        ["ConnectionStrings:Postgres"] = database.ServiceConnectionString,
        ["RabbitMq:Host"] = BenchEnvironment.RabbitHost,
        ["RabbitMq:Port"] = BenchEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["RabbitMq:VirtualHost"] = vhost.Name,
        ["RabbitMq:Username"] = BenchEnvironment.RabbitUser,
        ["RabbitMq:Password"] = BenchEnvironment.RabbitPassword,
    };

    /// <summary>A service host on the building blocks: migrations, unit of work, outbox + relay, inbox in front of every consumer.</summary>
    public static IHost Service(IDictionary<string, string?> settings, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IServiceCollection>? services = null)
    {
        var builder = NewBuilder(settings);
        builder.Services.AddScoped<CurrentTenant>(); // AddServiceDefaults registers it in the services; it has no HTTP here.
        builder.AddPostgres(Schema, typeof(BenchHosts).Assembly);
        builder.AddMessaging(Schema, configure);
        WaitForBus(builder.Services);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>A plain MassTransit bus on RabbitMQ: no database, no inbox, no outbox.</summary>
    public static IHost PlainBus(string vhost, bool publisherConfirmation, Action<IBusRegistrationConfigurator>? configure = null,
        Action<IRabbitMqBusFactoryConfigurator>? bus = null, Action<IServiceCollection>? services = null)
    {
        var builder = NewBuilder(new Dictionary<string, string?>());
        builder.Services.AddMassTransit(x =>
        {
            x.SetKebabCaseEndpointNameFormatter();
            configure?.Invoke(x);
            x.UsingRabbitMq((context, cfg) =>
            {
                cfg.Host(BenchEnvironment.RabbitHost, BenchEnvironment.RabbitPort, vhost, h =>
                {
                    h.Username(BenchEnvironment.RabbitUser);
                    h.Password(BenchEnvironment.RabbitPassword);
                    h.PublisherConfirmation = publisherConfirmation;
                });
                bus?.Invoke(cfg);
                cfg.ConfigureEndpoints(context);
            });
        });
        WaitForBus(builder.Services);
        services?.Invoke(builder.Services);
        return builder.Build();
    }

    /// <summary>Stops (bounded) and disposes a host; never throws, so clean-up after a failure still runs.</summary>
    public static async Task StopQuietlyAsync(IHost? host)
    {
        if (host is null)
            return;
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await host.StopAsync(timeout.Token);
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"stopping a host: {e.Message}");
        }

        try
        {
            if (host is IAsyncDisposable asyncDisposable)
                await asyncDisposable.DisposeAsync();
            else
                host.Dispose();
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"disposing a host: {e.Message}");
        }
    }

    static HostApplicationBuilder NewBuilder(IDictionary<string, string?> settings)
    {
        // No defaults: no appsettings or environment configuration leaking into the measurement, no console lifetime per host.
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            ContentRootPath = AppContext.BaseDirectory,
            EnvironmentName = Environments.Production,
        });
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.AddConfiguration(builder.Configuration.GetSection("Logging"));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        // Logs on standard error: standard output carries only the figures.
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Services.AddSingleton<IHostLifetime, QuietLifetime>();
        return builder;
    }

    static void WaitForBus(IServiceCollection services) =>
        services.Configure<MassTransitHostOptions>(o =>
        {
            // StartAsync returns once the receive endpoints are consuming, i.e. their queues and bindings exist.
            o.WaitUntilStarted = true;
            o.StartTimeout = TimeSpan.FromSeconds(60);
            o.StopTimeout = TimeSpan.FromSeconds(30);
        });

    sealed class QuietLifetime : IHostLifetime
    {
        public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;
        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
