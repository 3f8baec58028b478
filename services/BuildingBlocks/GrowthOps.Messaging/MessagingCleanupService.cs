using GrowthOps.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging;

/// <summary>
/// Forgets inbox rows older than <see cref="MessagingOptions.InboxRetention"/> (the duplicate-detection window) and
/// scheduler tombstones, in small chunks so it never holds long locks. Replicas doing the same work is harmless.
/// </summary>
sealed class MessagingCleanupService(
    NpgsqlDataSource dataSource,
    IOptions<MessagingOptions> options,
    IOptions<PostgresOptions> postgres,
    ILogger<MessagingCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var removed = 0;
                do
                {
                    await using var cmd = dataSource.CreateCommand($"""
                        delete from {schema}.inbox_state where ctid = any(array(
                          select ctid from {schema}.inbox_state where received < now() - $1 limit 5000))
                        """);
                    cmd.Parameters.Add(new NpgsqlParameter { Value = o.InboxRetention });
                    removed = await cmd.ExecuteNonQueryAsync(stoppingToken);
                } while (removed == 5000);

                await using (var tombstones = dataSource.CreateCommand(
                                 $"delete from {schema}.scheduled_message where cancelled and updated < now() - interval '1 day'"))
                    await tombstones.ExecuteNonQueryAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Messaging clean-up failed; will try again");
            }

            await Task.Delay(o.CleanupInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
