using GrowthOps.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging;

/// <summary>
/// LISTENs on <c>&lt;schema&gt;_outbox</c> and <c>&lt;schema&gt;_scheduler</c>, which the tables' triggers NOTIFY on commit,
/// so a commit in any process wakes every relay and scheduler within milliseconds instead of a polling interval.
/// </summary>
sealed class NotificationListener(
    NpgsqlDataSource dataSource,
    MessagingSignals signals,
    IOptions<PostgresOptions> postgres,
    ILogger<NotificationListener> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var outboxChannel = $"{schema}_outbox";
        var schedulerChannel = $"{schema}_scheduler";
        var attempt = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = await dataSource.OpenConnectionAsync(stoppingToken);
                connection.Notification += (_, e) =>
                {
                    if (e.Channel == outboxChannel)
                        signals.Outbox.Set();
                    else if (e.Channel == schedulerChannel)
                        signals.Scheduler.Set();
                };
                await using (var listen = new NpgsqlCommand($"listen \"{outboxChannel}\"; listen \"{schedulerChannel}\"", connection))
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
