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
/// as a safety net. Several relays on one database share the work with <c>FOR UPDATE SKIP LOCKED</c>; a row is deleted in
/// the transaction that locked it, after the broker confirmed it, so a row is delivered at least once and — unless a relay
/// dies between confirm and commit — exactly once. Consumers' inboxes absorb the rest.
/// </summary>
/// <remarks>
/// A batch's messages are sent concurrently, so the order of a transaction's messages is not kept (consumers never assume
/// an order across messages). A row that cannot be read, deserialised or sent while the broker is reachable counts an
/// attempt and waits (exponential backoff, in <c>enqueue_time</c>) while the rows behind it flow; after
/// <see cref="MessagingOptions.MaxDeliveryAttempts"/> it moves to <c>dead_letter</c> with its error. Failures while the
/// broker is unreachable count nothing: the rows simply wait.
/// </remarks>
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
    static readonly Counter<long> Failed = Meter.CreateCounter<long>("growthops.outbox.failed", "{message}", "Outbox rows that failed an attempt");
    static readonly Counter<long> DeadLettered = Meter.CreateCounter<long>("growthops.outbox.dead_lettered", "{message}",
        "Outbox rows moved to dead_letter after their last attempt");
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
                await bus.WaitUntilConnected(stoppingToken);
                var count = await DeliverBatch(schema, o, hook, stoppingToken);
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

    /// <summary>Sends one batch; returns how many rows it took (sent or failed).</summary>
    async Task<int> DeliverBatch(string schema, MessagingOptions o, IOutboxRelayHook? hook, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var rows = new List<(long Sequence, int Attempts, InMemoryOutboxMessage? Message, Exception? Error)>(o.OutboxBatchSize);
        await using (var take = new NpgsqlCommand($"""
                         select {OutboxStore.Columns}, attempts from {schema}.outbox_message
                         where enqueue_time is null or enqueue_time <= now()
                         order by sequence_number limit $1 for update skip locked
                         """, connection, transaction))
        {
            take.Parameters.Add(OutboxStore.P(o.OutboxBatchSize));
            await using var reader = await take.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                var sequence = reader.GetInt64(0);
                var attempts = reader.GetInt32(OutboxStore.ColumnCount);
                try
                {
                    rows.Add((sequence, attempts, OutboxStore.Read(reader), null));
                }
                catch (Exception e)
                {
                    rows.Add((sequence, attempts, null, e));
                }
            }
        }

        if (rows.Count == 0)
            return 0;

        // Publisher confirms are awaited concurrently: one batch costs about one broker round trip.
        var results = await Task.WhenAll(rows.Select(async row =>
        {
            if (row.Error is not null)
                return row.Error;
            try
            {
                var m = row.Message!;
                var endpoint = await bus.GetSendEndpoint(m.DestinationAddress ?? throw new InvalidOperationException("The row has no destination address."));
                await endpoint.Send(new SerializedMessageBody(), new StoredMessageSendPipe(m), ct).WaitAsync(o.SendTimeout, ct);
                return null;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                return e;
            }
        }));

        if (hook is not null)
            await hook.BatchSent(rows.Count, ct);

        var sent = new List<long>(rows.Count);
        var retry = new List<(long Sequence, string Error, TimeSpan Backoff)>();
        var dead = new List<(long Sequence, string Error)>();
        // Failures while the broker is unreachable say nothing about the rows: they wait without counting an attempt.
        var countAttempts = bus.IsConnected();
        for (var i = 0; i < rows.Count; i++)
        {
            if (results[i] is not { } error)
            {
                sent.Add(rows[i].Sequence);
                continue;
            }

            if (!countAttempts)
                continue;
            var attempt = rows[i].Attempts + 1;
            logger.LogWarning(error, "Outbox row {Sequence} failed attempt {Attempt} of {Max}", rows[i].Sequence, attempt, o.MaxDeliveryAttempts);
            if (attempt >= o.MaxDeliveryAttempts)
                dead.Add((rows[i].Sequence, DeliveryErrors.Describe(error)));
            else
                retry.Add((rows[i].Sequence, DeliveryErrors.Describe(error), DeliveryErrors.Backoff(attempt, o)));
        }

        // Every write travels with the COMMIT: one round trip.
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (sent.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"delete from {schema}.outbox_message where sequence_number = any($1)")
            {
                Parameters = { OutboxStore.P(sent.ToArray()) },
            });
        if (retry.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                update {schema}.outbox_message o set attempts = o.attempts + 1, last_error = f.error, enqueue_time = now() + f.backoff
                from unnest($1::bigint[], $2::text[], $3::interval[]) as f(sequence_number, error, backoff)
                where o.sequence_number = f.sequence_number
                """)
            {
                Parameters = { OutboxStore.P(retry.Select(r => r.Sequence).ToArray()), OutboxStore.P(retry.Select(r => r.Error).ToArray()),
                    OutboxStore.P(retry.Select(r => r.Backoff).ToArray()) },
            });
        if (dead.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                with f as (select * from unnest($1::bigint[], $2::text[]) as f(sequence_number, error)),
                moved as (
                  delete from {schema}.outbox_message o using f where o.sequence_number = f.sequence_number
                  returning o.*, f.error as failure)
                insert into {schema}.dead_letter (source, message_id, message_type, destination_address, attempts, error, original)
                select 'outbox', message_id, message_type, destination_address, attempts + 1, failure,
                  to_jsonb(moved) - 'failure' - 'attempts' - 'last_error'
                from moved
                """)
            {
                Parameters = { OutboxStore.P(dead.Select(r => r.Sequence).ToArray()), OutboxStore.P(dead.Select(r => r.Error).ToArray()) },
            });
        batch.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        await batch.ExecuteNonQueryAsync(ct);

        Delivered.Add(sent.Count);
        if (retry.Count + dead.Count > 0)
        {
            Failed.Add(retry.Count + dead.Count);
            DeadLettered.Add(dead.Count);
            foreach (var (sequence, error) in dead)
                logger.LogError("Outbox row {Sequence} moved to {Schema}.dead_letter after {Attempts} attempts: {Error}", sequence, schema,
                    o.MaxDeliveryAttempts, error);
        }

        var now = DateTime.UtcNow;
        for (var i = 0; i < rows.Count; i++)
            if (results[i] is null)
                Lag.Record((now - rows[i].Message!.SentTime).TotalMilliseconds);
        Activity.Current?.SetTag("growthops.outbox.batch", rows.Count);
        // Rows that failed while the broker was unreachable stay as they were: report a short batch so the loop waits.
        return countAttempts ? rows.Count : 0;
    }
}
