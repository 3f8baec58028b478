using System.Diagnostics.Metrics;
using System.Security.Cryptography;
using GrowthOps.Messaging.Outbox;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.JobService.Scheduling;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging.Scheduling;

/// <summary>
/// Fires due scheduled messages. It sleeps until the next due time (at most <see cref="MessagingOptions.SchedulerPollInterval"/>)
/// and wakes at once on a new schedule (local signal or NOTIFY). Instances on one database lock due rows with
/// <c>FOR UPDATE SKIP LOCKED</c> and mark them fired (or, for recurring schedules, advance them) in the transaction that sent
/// them, so each occurrence fires once; a crash between send and commit resends it with the same message id, which the
/// consumer's inbox absorbs. A fired one-shot row stays as a tombstone for
/// <see cref="MessagingOptions.SchedulerTombstoneRetention"/>, so a redelivered schedule command for it changes nothing.
/// </summary>
/// <remarks>
/// A row that cannot be read, deserialised or sent while the broker is reachable (a recurring one whose next occurrence
/// cannot be computed, too) counts an attempt and is retried with backoff while the other rows fire; after
/// <see cref="MessagingOptions.MaxDeliveryAttempts"/> it moves to <c>dead_letter</c> (a recurring schedule's failed
/// occurrence is dead-lettered as a one-shot and the schedule moves on).
/// </remarks>
sealed class SchedulerDeliveryService(
    IBusControl bus,
    NpgsqlDataSource dataSource,
    MessagingSignals signals,
    IOptions<MessagingOptions> options,
    IOptions<PostgresOptions> postgres,
    ILogger<SchedulerDeliveryService> logger) : BackgroundService
{
    static readonly Meter Meter = new("GrowthOps.Messaging");
    static readonly Counter<long> Fired = Meter.CreateCounter<long>("growthops.scheduler.fired", "{message}", "Scheduled messages sent");
    static readonly Counter<long> Failed = Meter.CreateCounter<long>("growthops.scheduler.failed", "{message}", "Scheduled rows that failed an attempt");
    static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("growthops.scheduler.lateness", "ms", "Send time minus due time");

    const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var o = options.Value;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bus.WaitUntilConnected(stoppingToken);
                if (await DeliverDue(schema, o, stoppingToken) == BatchSize)
                    continue;
                var untilNext = await UntilNextDue(schema, stoppingToken);
                var sleep = untilNext is { } wait
                    ? TimeSpan.FromTicks(Math.Clamp(wait.Ticks, TimeSpan.FromMilliseconds(10).Ticks, o.SchedulerPollInterval.Ticks))
                    : o.SchedulerPollInterval;
                await signals.Scheduler.WaitAsync(sleep, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                logger.LogError(e, "Scheduler delivery failed; retrying");
                await Task.Delay(TimeSpan.FromSeconds(1), stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>
    /// Time until the next row this instance could take. Rows another instance holds locked (it is sending them) are skipped:
    /// counting them would make this instance poll every 10 ms until the other commits.
    /// </summary>
    async Task<TimeSpan?> UntilNextDue(string schema, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            select extract(epoch from (scheduled_time - now())) from {schema}.scheduled_message
            where not cancelled and not paused and not fired
            order by scheduled_time limit 1 for key share skip locked
            """);
        return await cmd.ExecuteScalarAsync(ct) is decimal seconds ? TimeSpan.FromSeconds((double)seconds) : null;
    }

    async Task<int> DeliverDue(string schema, MessagingOptions o, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var due = new List<Due>();
        await using (var select = new NpgsqlCommand($"""
                         select token_id, message_id, content_type, message_type, body, headers, conversation_id, correlation_id, initiator_id,
                           request_id, source_address, destination_address, response_address, fault_address, scheduled_time, cron_expression,
                           time_zone_id, end_time, attempts
                         from {schema}.scheduled_message where not cancelled and not paused and not fired and scheduled_time <= now()
                         order by scheduled_time limit {BatchSize} for update skip locked
                         """, connection, transaction))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var token = r.GetGuid(0);
                var scheduledTime = r.GetDateTime(14);
                var cron = r.IsDBNull(15) ? null : r.GetString(15);
                var attempts = r.GetInt32(18);
                var occurrence = cron is null ? r.GetGuid(1) : OccurrenceId(token, scheduledTime);
                try
                {
                    var message = new InMemoryOutboxMessage
                    {
                        // A recurring schedule's occurrences need distinct ids (or the inbox would drop all but the first),
                        // yet stable ones, so a resend after a crash is still recognised.
                        MessageId = occurrence,
                        ContentType = r.GetString(2),
                        MessageType = r.GetString(3),
                        Body = r.GetString(4),
                        Headers = r.IsDBNull(5) ? null : r.GetString(5),
                        ConversationId = r.IsDBNull(6) ? null : r.GetGuid(6),
                        CorrelationId = r.IsDBNull(7) ? null : r.GetGuid(7),
                        InitiatorId = r.IsDBNull(8) ? null : r.GetGuid(8),
                        RequestId = r.IsDBNull(9) ? null : r.GetGuid(9),
                        SourceAddress = OutboxStore.Address(r, 10),
                        DestinationAddress = OutboxStore.Address(r, 11),
                        ResponseAddress = OutboxStore.Address(r, 12),
                        FaultAddress = OutboxStore.Address(r, 13),
                        SentTime = DateTime.UtcNow,
                    };
                    message.Deserialize(SystemTextJsonMessageSerializer.Instance);
                    // The next occurrence is known before the send: a schedule whose next time cannot be computed fails here,
                    // not after its message went out.
                    var next = cron is null ? null : NextOccurrence(cron, r.IsDBNull(16) ? null : r.GetString(16), r.IsDBNull(17) ? null : r.GetDateTime(17),
                        scheduledTime);
                    due.Add(new Due(token, scheduledTime, occurrence, attempts, message, cron is not null, next, null));
                }
                catch (Exception e)
                {
                    due.Add(new Due(token, scheduledTime, occurrence, attempts, null, cron is not null, null, e));
                }
            }
        }

        if (due.Count == 0)
            return 0;

        var results = await Task.WhenAll(due.Select(async d =>
        {
            if (d.Error is not null)
                return d.Error;
            try
            {
                var endpoint = await bus.GetSendEndpoint(d.Message!.DestinationAddress!);
                await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(d.Message, d.Message.DestinationAddress), ct)
                    .WaitAsync(o.SendTimeout, ct);
                return null;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                return e;
            }
        }));

        var countAttempts = bus.IsConnected();
        var fired = new List<Guid>();
        var advanced = new List<(Guid Token, DateTime Next)>();
        var retry = new List<(Guid Token, string Error, TimeSpan Backoff)>();
        var dead = new List<(Due Due, string Error)>();
        for (var i = 0; i < due.Count; i++)
        {
            var d = due[i];
            if (results[i] is not { } error)
            {
                Lateness.Record((DateTime.UtcNow - d.ScheduledTime).TotalMilliseconds);
                if (d.Next is { } next)
                    advanced.Add((d.Token, next));
                else
                    fired.Add(d.Token);
                continue;
            }

            if (!countAttempts)
                continue;
            var attempt = d.Attempts + 1;
            logger.LogWarning(error, "Scheduled message {Token} failed attempt {Attempt} of {Max}", d.Token, attempt, o.MaxDeliveryAttempts);
            if (attempt >= o.MaxDeliveryAttempts)
                dead.Add((d, DeliveryErrors.Describe(error)));
            else
                retry.Add((d.Token, DeliveryErrors.Describe(error), DeliveryErrors.Backoff(attempt, o)));
        }

        // Every write travels with the COMMIT: one round trip.
        await using var batch = new NpgsqlBatch(connection, transaction);
        if (fired.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                update {schema}.scheduled_message set fired = true, fire_count = fire_count + 1, updated = now() where token_id = any($1)
                """)
            {
                Parameters = { OutboxStore.P(fired.ToArray()) },
            });
        if (advanced.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                update {schema}.scheduled_message s set scheduled_time = a.next, fire_count = s.fire_count + 1, attempts = 0, last_error = null,
                  updated = now()
                from unnest($1::uuid[], $2::timestamptz[]) as a(token_id, next) where s.token_id = a.token_id
                """)
            {
                Parameters = { OutboxStore.P(advanced.Select(a => a.Token).ToArray()), OutboxStore.P(advanced.Select(a => a.Next).ToArray()) },
            });
        if (retry.Count > 0)
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                update {schema}.scheduled_message s set attempts = s.attempts + 1, last_error = f.error, scheduled_time = now() + f.backoff,
                  updated = now()
                from unnest($1::uuid[], $2::text[], $3::interval[]) as f(token_id, error, backoff) where s.token_id = f.token_id
                """)
            {
                Parameters = { OutboxStore.P(retry.Select(r => r.Token).ToArray()), OutboxStore.P(retry.Select(r => r.Error).ToArray()),
                    OutboxStore.P(retry.Select(r => r.Backoff).ToArray()) },
            });
        foreach (var (d, error) in dead)
            AddDeadLetter(batch, schema, d, error);
        batch.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        await batch.ExecuteNonQueryAsync(ct);

        Fired.Add(fired.Count + advanced.Count);
        if (retry.Count + dead.Count > 0)
            Failed.Add(retry.Count + dead.Count);
        foreach (var (d, error) in dead)
            logger.LogError("Scheduled message {Token} moved to {Schema}.dead_letter after {Attempts} attempts: {Error}", d.Token, schema,
                o.MaxDeliveryAttempts, error);
        return countAttempts ? due.Count : 0;
    }

    /// <summary>
    /// A one-shot row moves to <c>dead_letter</c>. A recurring schedule's occurrence is dead-lettered as a one-shot row (its
    /// occurrence id as token and message id, so a replay fires exactly that occurrence once) and the schedule moves on to its
    /// next occurrence, or ends.
    /// </summary>
    static void AddDeadLetter(NpgsqlBatch batch, string schema, Due d, string error)
    {
        if (!d.Recurring)
        {
            batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
                with moved as (delete from {schema}.scheduled_message where token_id = $1 returning *)
                insert into {schema}.dead_letter (source, message_id, message_type, destination_address, attempts, error, original)
                select 'scheduler', message_id, message_type, destination_address, attempts + 1, $2,
                  to_jsonb(moved) - 'attempts' - 'last_error' from moved
                """)
            {
                Parameters = { OutboxStore.P(d.Token), OutboxStore.P(error) },
            });
            return;
        }

        batch.BatchCommands.Add(new NpgsqlBatchCommand($"""
            insert into {schema}.dead_letter (source, message_id, message_type, destination_address, attempts, error, original)
            select 'scheduler', $2, message_type, destination_address, attempts + 1, $3,
              to_jsonb(s) - 'attempts' - 'last_error' || jsonb_build_object('token_id', $2, 'message_id', $2, 'schedule_id', null,
                'schedule_group', null, 'cron_expression', null, 'time_zone_id', null, 'end_time', null)
            from {schema}.scheduled_message s where token_id = $1
            """)
        {
            Parameters = { OutboxStore.P(d.Token), OutboxStore.P(d.Occurrence), OutboxStore.P(error) },
        });
        // A schedule whose next time cannot be computed (the reason it failed, perhaps) ends; its failed occurrence is kept above.
        var next = d.Next;
        batch.BatchCommands.Add(next is { } at
            ? new NpgsqlBatchCommand($"""
                update {schema}.scheduled_message set scheduled_time = $2, attempts = 0, last_error = null, updated = now() where token_id = $1
                """) { Parameters = { OutboxStore.P(d.Token), OutboxStore.P(at) } }
            : new NpgsqlBatchCommand($"""
                update {schema}.scheduled_message set cancelled = true, attempts = 0, last_error = $2, updated = now() where token_id = $1
                """) { Parameters = { OutboxStore.P(d.Token), OutboxStore.P($"ended after a failed occurrence: {error}") } });
    }

    static DateTime? NextOccurrence(string cronExpression, string? timeZoneId, DateTime? endTime, DateTime scheduledTime)
    {
        var zone = string.IsNullOrWhiteSpace(timeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(timeZoneId);
        var cron = new CronExpression(cronExpression) { TimeZone = zone };
        // Missed occurrences (the service was down) collapse into the one being fired.
        var after = new DateTimeOffset(scheduledTime > DateTime.UtcNow ? scheduledTime : DateTime.UtcNow, TimeSpan.Zero);
        var next = cron.GetTimeAfter(after);
        if (next is null || (endTime is { } end && next.Value.UtcDateTime > end))
            return null;
        return next.Value.UtcDateTime;
    }

    static Guid OccurrenceId(Guid token, DateTime scheduledTime)
    {
        Span<byte> input = stackalloc byte[24];
        token.TryWriteBytes(input);
        BitConverter.TryWriteBytes(input[16..], scheduledTime.Ticks);
        return new Guid(SHA256.HashData(input).AsSpan(0, 16));
    }

    /// <summary>A due row: its message (null when it could not be read), its next occurrence if recurring, or why it failed.</summary>
    sealed record Due(Guid Token, DateTime ScheduledTime, Guid Occurrence, int Attempts, InMemoryOutboxMessage? Message, bool Recurring,
        DateTime? Next, Exception? Error);
}
