using GrowthOps.Persistence;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging;

/// <summary>
/// Forgets inbox rows older than <see cref="MessagingOptions.InboxRetention"/> (the duplicate-detection window) and
/// scheduler tombstones (cancelled or fired rows older than
/// <see cref="MessagingOptions.SchedulerTombstoneRetention"/>), in small chunks so it never holds long locks. Replicas doing the same work is harmless.
/// </summary>
sealed class MessagingCleanupService(
    NpgsqlDataSource dataSource,
    IOptions<MessagingOptions> options,
    IOptions<PostgresOptions> postgres,
    ILogger<MessagingCleanupService> logger) : BackgroundService
{
    const int Chunk = 5000;

    async Task DeleteInChunks(string sql, TimeSpan age, CancellationToken ct)
    {
        int removed;
        do
        {
            await using var cmd = dataSource.CreateCommand(sql);
            cmd.Parameters.Add(new NpgsqlParameter { Value = age });
            removed = await cmd.ExecuteNonQueryAsync(ct);
        } while (removed == Chunk);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await DeleteInChunks($"""
                    delete from {schema}.inbox_state where ctid = any(array(
                      select ctid from {schema}.inbox_state where received < now() - $1 limit {Chunk}))
                    """, o.InboxRetention, stoppingToken);
                // Cancelled and fired one-shot rows (tombstones), through their partial index.
                await DeleteInChunks($"""
                    delete from {schema}.scheduled_message where ctid = any(array(
                      select ctid from {schema}.scheduled_message where (cancelled or fired) and updated < now() - $1 limit {Chunk}))
                    """, o.SchedulerTombstoneRetention, stoppingToken);
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
