using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// Web applications a benchmark hosts in its own process (a service's Program, a provider's fake): only the given settings
/// (no environment or appsettings leaking into the measurement), warnings only, logged on standard error, a free port.
/// </summary>
public static class BenchWebApps
{
    public static WebApplicationBuilder Builder(string applicationName, IDictionary<string, string?> settings, string environment = "Production")
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            EnvironmentName = environment, ContentRootPath = AppContext.BaseDirectory, ApplicationName = applicationName,
        });
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection(settings);
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        return builder;
    }

    /// <summary>Stops (bounded) and disposes an application; never throws, so clean-up after a failure still runs.</summary>
    public static async ValueTask StopQuietlyAsync(WebApplication app, string what)
    {
        try
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await app.StopAsync(timeout.Token);
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"stopping {what}: {e.Message}");
        }

        await app.DisposeAsync();
    }

    /// <summary>Runs one phase of a benchmark; a failure is noted and counted (1), and the other phases still run.</summary>
    public static async Task<int> RunPhaseAsync(string name, Func<Task> phase)
    {
        try
        {
            await phase();
            return 0;
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            BenchOutput.Note($"phase {name} failed: {e.GetType().Name}: {e.Message}");
            BenchOutput.Progress($"phase {name} failed: {e}");
            return 1;
        }
    }
}
