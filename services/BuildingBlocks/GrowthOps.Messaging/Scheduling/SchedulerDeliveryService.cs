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
/// <c>FOR UPDATE SKIP LOCKED</c> and delete (or, for recurring schedules, advance) them in the transaction that sent them,
/// so each occurrence fires once; a crash between send and commit resends it with the same message id, which the
/// consumer's inbox absorbs.
/// </summary>
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
    static readonly Histogram<double> Lateness = Meter.CreateHistogram<double>("growthops.scheduler.lateness", "ms", "Send time minus due time");

    const int BatchSize = 100;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var schema = postgres.Value.Schema;
        var maxSleep = options.Value.SchedulerPollInterval;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await bus.WaitForHealthStatus(BusHealthStatus.Healthy, stoppingToken);
                if (await DeliverDue(schema, stoppingToken) == BatchSize)
                    continue;
                var untilNext = await UntilNextDue(schema, stoppingToken);
                var sleep = untilNext is { } wait ? TimeSpan.FromTicks(Math.Clamp(wait.Ticks, TimeSpan.FromMilliseconds(10).Ticks, maxSleep.Ticks)) : maxSleep;
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

    async Task<TimeSpan?> UntilNextDue(string schema, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            $"select extract(epoch from (min(scheduled_time) - now())) from {schema}.scheduled_message where not cancelled and not paused");
        return await cmd.ExecuteScalarAsync(ct) is decimal seconds ? TimeSpan.FromSeconds((double)seconds) : null;
    }

    async Task<int> DeliverDue(string schema, CancellationToken ct)
    {
        await using var connection = await dataSource.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        var due = new List<Due>();
        await using (var select = new NpgsqlCommand($"""
                         select token_id, message_id, content_type, message_type, body, headers, conversation_id, correlation_id, initiator_id,
                           request_id, source_address, destination_address, response_address, fault_address, scheduled_time, cron_expression,
                           time_zone_id, end_time, fire_count
                         from {schema}.scheduled_message where not cancelled and not paused and scheduled_time <= now()
                         order by scheduled_time limit {BatchSize} for update skip locked
                         """, connection, transaction))
        await using (var r = await select.ExecuteReaderAsync(ct))
        {
            while (await r.ReadAsync(ct))
            {
                var token = r.GetGuid(0);
                var scheduledTime = r.GetDateTime(14);
                var cron = r.IsDBNull(15) ? null : r.GetString(15);
                var message = new InMemoryOutboxMessage
                {
                    // A recurring schedule's occurrences need distinct ids (or the inbox would drop all but the first),
                    // yet stable ones, so a resend after a crash is still recognised.
                    MessageId = cron is null ? r.GetGuid(1) : OccurrenceId(token, scheduledTime),
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
                due.Add(new Due(token, scheduledTime, message, cron, r.IsDBNull(16) ? null : r.GetString(16), r.IsDBNull(17) ? null : r.GetDateTime(17)));
            }
        }

        if (due.Count == 0)
            return 0;

        await Task.WhenAll(due.Select(async d =>
        {
            var endpoint = await bus.GetSendEndpoint(d.Message.DestinationAddress!);
            await endpoint.Send(new SerializedMessageBody(), new OutboxMessageSendPipe(d.Message, d.Message.DestinationAddress), ct);
        }));

        var done = new List<Guid>();
        foreach (var d in due)
        {
            Lateness.Record((DateTime.UtcNow - d.ScheduledTime).TotalMilliseconds);
            var next = d.Cron is null ? null : NextOccurrence(d);
            if (next is null)
            {
                done.Add(d.Token);
                continue;
            }

            await using var advance = new NpgsqlCommand($"""
                update {schema}.scheduled_message set scheduled_time = $2, fire_count = fire_count + 1, updated = now() where token_id = $1
                """, connection, transaction);
            advance.Parameters.Add(OutboxStore.P(d.Token));
            advance.Parameters.Add(OutboxStore.P(next.Value));
            await advance.ExecuteNonQueryAsync(ct);
        }

        if (done.Count > 0)
        {
            await using var delete = new NpgsqlCommand($"delete from {schema}.scheduled_message where token_id = any($1)", connection, transaction);
            delete.Parameters.Add(OutboxStore.P(done.ToArray()));
            await delete.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
        Fired.Add(due.Count);
        return due.Count;
    }

    static DateTime? NextOccurrence(Due d)
    {
        var zone = string.IsNullOrWhiteSpace(d.TimeZoneId) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(d.TimeZoneId);
        var cron = new CronExpression(d.Cron!) { TimeZone = zone };
        // Missed occurrences (the service was down) collapse into the one just fired.
        var after = new DateTimeOffset(d.ScheduledTime > DateTime.UtcNow ? d.ScheduledTime : DateTime.UtcNow, TimeSpan.Zero);
        var next = cron.GetTimeAfter(after);
        if (next is null || (d.EndTime is { } end && next.Value.UtcDateTime > end))
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

    sealed record Due(Guid Token, DateTime ScheduledTime, InMemoryOutboxMessage Message, string? Cron, string? TimeZoneId, DateTime? EndTime);
}
