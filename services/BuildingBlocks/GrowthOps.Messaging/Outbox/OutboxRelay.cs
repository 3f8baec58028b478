using System.Diagnostics;
using System.Diagnostics.Metrics;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.Transports;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging.Outbox;

/// <summary>
/// Hands committed outbox rows to RabbitMQ. Woken on local commits and by NOTIFY from other processes, with a slow poll
/// as a safety net. Several relays on one database share the work with <c>FOR UPDATE SKIP LOCKED</c>; a batch is deleted
/// in the same transaction that locked it, after the broker confirmed every message, so a row is delivered at least
/// once and — unless a relay dies between confirm and commit — exactly once. Consumers' inboxes absorb the rest.
/// </summary>
sealed class OutboxRelay(
    IBusControl bus,
    NpgsqlDataSource dataSource,
    MessagingSignals signals,
    IOptions<MessagingOptions> options,
    IOptions<PostgresOptions> postgres,
    IServiceProvider services,
    ILogger<OutboxRelay> logger) : BackgroundService
{
    static readonly Meter Meter = new("GrowthOps.Messaging");
    static readonly Counter<long> Delivered = Meter.CreateCounter<long>("growthops.outbox.delivered", "{message}", "Outbox messages handed to the broker");
    static readonly Histogram<double> Lag = Meter.CreateHistogram<double>("growthops.outbox.lag", "ms", "Time from commit to broker confirm");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var hook = services.GetService<IOutboxRelayHook>();
        var schema = postgres.Value.Schema;
        var o = options.Value;
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);
                var count = await DeliverBatch(schema, o.OutboxBatchSize, hook, stoppingToken);
                failures = 0;
                // A short batch took everything committed so far; a later commit sets the signal, so waiting misses nothing
                // (and saves an empty poll after every batch).
                if (count == o.OutboxBatchSize)
                    continue;
                await signals.Outbox.WaitAsync(o.OutboxPollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                failures++;
                logger.LogError(e, "Outbox relay failed; retrying (attempt {Attempt})", failures);
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(5000, 100 * Math.Pow(2, Math.Min(failures, 6)))), stoppingToken)
                    .ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    async Task<int> DeliverBatch(string schema, int batchSize, IOutboxRelayHook? hook, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var messages = new List<InMemoryOutboxMessage>(batchSize);
        // Lock and delete the batch in one statement; the delete commits only after the broker confirmed every message,
        // so a failed send rolls the rows back for the next attempt.
        await using (var take = new NpgsqlCommand($"""
                         delete from {schema}.outbox_message where sequence_number in (
                           select sequence_number from {schema}.outbox_message
                           where enqueue_time is null or enqueue_time <= now()
                           order by sequence_number limit $1 for update skip locked)
                         returning {OutboxStore.Columns}
                         """, connection, transaction))
        {
            take.Parameters.Add(OutboxStore.P(batchSize));
            await using var reader = await take.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                messages.Add(OutboxStore.Read(reader));
        }

        if (messages.Count == 0)
            return 0;
        messages.Sort((x, y) => x.SequenceNumber.CompareTo(y.SequenceNumber));

        // Publisher confirms are awaited concurrently: one batch costs about one broker round trip.
        await Task.WhenAll(messages.Select(async m =>
        {
            var endpoint = await bus.GetSendEndpoint(m.DestinationAddress!);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(m, m.DestinationAddress), ct);
        }));

        if (hook is not null)
            await hook.BatchSent(messages.Count, ct);

        await transaction.CommitAsync(ct);
        Delivered.Add(messages.Count);
        var now = DateTime.UtcNow;
        foreach (var m in messages)
            Lag.Record((now - m.SentTime).TotalMilliseconds);
        Activity.Current?.SetTag("growthops.outbox.batch", messages.Count);
        return messages.Count;
    }
}
