using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Persistence.Idempotency;

/// <summary>
/// Deletes expired <c>Idempotency-Key</c> responses of every tenant, a bounded batch per statement through the expiry index.
/// Replicas doing the same work is harmless.
/// </summary>
sealed class IdempotencyCleanupService(
    NpgsqlDataSource dataSource,
    IOptions<IdempotencyOptions> options,
    IOptions<PostgresOptions> postgres,
    ILogger<IdempotencyCleanupService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                int removed;
                do
                {
                    await using var cmd = dataSource.CreateCommand($"select {postgres.Value.Schema}.purge_expired_idempotency_keys($1)");
                    cmd.Parameters.Add(new NpgsqlParameter { Value = o.CleanupBatchSize });
                    removed = (int)(await cmd.ExecuteScalarAsync(stoppingToken))!;
                } while (removed == o.CleanupBatchSize);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogWarning(e, "Idempotency-Key clean-up failed; will try again");
            }

            await Task.Delay(o.CleanupInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
