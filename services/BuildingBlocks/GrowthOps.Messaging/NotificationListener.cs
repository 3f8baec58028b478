using GrowthOps.Persistence;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging;

/// <summary>
/// LISTENs on <c>&lt;schema&gt;_outbox</c>, which processes without a relay of their own NOTIFY on commit, so their
/// messages leave within milliseconds instead of a polling interval. On a dedicated, unpooled connection: LISTEN is
/// session state that must never leak into the pool.
/// </summary>
sealed class NotificationListener(
    IConfiguration configuration,
    MessagingSignals signals,
    IOptions<PostgresOptions> postgres,
    ILogger<NotificationListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var outboxChannel = $"{schema}_outbox";
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(
                    new NpgsqlConnectionStringBuilder(PersistenceExtensions.GetConnectionString(configuration)) { Pooling = false, KeepAlive = 30 }.ConnectionString);
                await connection.OpenAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == outboxChannel)
                        signals.Outbox.Set();
                };
                await using (var listen = new NpgsqlCommand($"listen \"{outboxChannel}\"", connection))
                    await listen.ExecuteNonQueryAsync(stoppingToken);

                // Anything committed while we were not listening is picked up by one look now.
                signals.Outbox.Set();
                signals.Scheduler.Set();
                attempt = 0;
                while (!stoppingToken.IsCancellationRequested)
                    await connection.WaitAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                attempt++;
                logger.LogWarning(e, "Lost the notification connection; reconnecting (attempt {Attempt})", attempt);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 200 * attempt)), stoppingToken)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}
