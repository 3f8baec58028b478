using GrowthOps.Messaging.Outbox;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.JobService.Scheduling;
using MassTransit.Scheduling;
using MassTransit.Serialization;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging.Scheduling;

/// <summary>
/// The durable scheduler's intake: MassTransit's standard scheduling commands (what saga <c>Schedule</c>/<c>Unschedule</c>,
/// <c>IMessageScheduler</c> and scheduled redelivery send) stored in <c>scheduled_message</c>. Every write is an upsert keyed
/// by the token (or the recurring schedule's group and id), so a redelivered command changes nothing (a fired one-shot row
/// stays as a tombstone, so it does not fire again), and a cancel is a tombstone, so a cancel that overtakes its schedule
/// still wins.
/// </summary>
public sealed class ScheduleMessageConsumer(
    NpgsqlDataSource dataSource,
    IOptions<PostgresOptions> postgres,
    MessagingSignals signals,
    ILogger<ScheduleMessageConsumer> logger) :
    IConsumer<ScheduleMessage>,
    IConsumer<CancelScheduledMessage>,
    IConsumer<ScheduleRecurringMessage>,
    IConsumer<CancelScheduledRecurringMessage>,
    IConsumer<PauseScheduledRecurringMessage>,
    IConsumer<ResumeScheduledRecurringMessage>
{
    string Schema => postgres.Value.Schema;

    public async Task Consume(ConsumeContext<ScheduleMessage> context)
    {
        var m = context.Message;
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Schedule(Schema, m, Envelope(context.SerializerContext, context.Headers, context.Message, context.MessageId,
            context.ReceiveContext.ContentType.ToString(), context.CancellationToken), Origin.Of(context)));
        await batch.ExecuteNonQueryAsync(context.CancellationToken);
        signals.Scheduler.Set();
        logger.LogDebug("Scheduled {Token} at {Time:O} for {Destination}", m.CorrelationId, m.ScheduledTime, m.Destination);
    }

    public async Task Consume(ConsumeContext<CancelScheduledMessage> context)
    {
        await using var batch = dataSource.CreateBatch();
        batch.BatchCommands.Add(Cancel(Schema, context.Message.TokenId));
        await batch.ExecuteNonQueryAsync(context.CancellationToken);
        logger.LogDebug("Cancelled scheduled message {Token}", context.Message.TokenId);
    }

    /// <summary>The upsert that stores a schedule command (a redelivered one changes nothing; a cancelled or fired token stays so).</summary>
    internal static NpgsqlBatchCommand Schedule(string schema, ScheduleMessage m,
        (Guid MessageId, string ContentType, string MessageType, string Body, string? Headers) envelope, Origin context) =>
        new($"""
            insert into {schema}.scheduled_message (token_id, scheduled_time, message_id, content_type, message_type, body, headers, conversation_id,
              correlation_id, initiator_id, request_id, source_address, destination_address, response_address, fault_address)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)
            on conflict (token_id) do update set scheduled_time = excluded.scheduled_time, body = excluded.body, headers = excluded.headers,
              updated = now()
            where not {schema}.scheduled_message.cancelled and not {schema}.scheduled_message.fired
            """)
        {
            Parameters =
            {
                OutboxStore.P(m.CorrelationId), OutboxStore.P(Utc(m.ScheduledTime)), OutboxStore.P(envelope.MessageId), OutboxStore.P(envelope.ContentType),
                OutboxStore.P(envelope.MessageType), OutboxStore.P(envelope.Body), OutboxStore.P(envelope.Headers), OutboxStore.P(context.ConversationId),
                OutboxStore.P(context.CorrelationId), OutboxStore.P(context.InitiatorId), OutboxStore.P(context.RequestId),
                OutboxStore.P(context.SourceAddress?.ToString()), OutboxStore.P(m.Destination.ToString()), OutboxStore.P(context.ResponseAddress?.ToString()),
                OutboxStore.P(context.FaultAddress?.ToString()),
            },
        };

    /// <summary>Where a schedule command came from: kept with the scheduled message and replayed with it.</summary>
    internal sealed record Origin(Guid? ConversationId, Guid? CorrelationId, Guid? InitiatorId, Guid? RequestId, Uri? SourceAddress,
        Uri? ResponseAddress, Uri? FaultAddress)
    {
        public static Origin Of(ConsumeContext c) =>
            new(c.ConversationId, c.CorrelationId, c.InitiatorId, c.RequestId, c.SourceAddress, c.ResponseAddress, c.FaultAddress);

        public static Origin Of(SendContext c) =>
            new(c.ConversationId, c.CorrelationId, c.InitiatorId, c.RequestId, c.SourceAddress, c.ResponseAddress, c.FaultAddress);
    }

    /// <summary>A cancel is a tombstone, so a cancel that overtakes its schedule still wins.</summary>
    internal static NpgsqlBatchCommand Cancel(string schema, Guid tokenId) =>
        new($"""
            insert into {schema}.scheduled_message (token_id, scheduled_time, cancelled, message_id, content_type, message_type, body, destination_address)
            values ($1, now(), true, $1, '', '', '', '')
            on conflict (token_id) do update set cancelled = true, updated = now()
            """)
        {
            Parameters = { OutboxStore.P(tokenId) },
        };

    public async Task Consume(ConsumeContext<ScheduleRecurringMessage> context)
    {
        var m = context.Message;
        var schedule = m.Schedule;
        var cron = new CronExpression(schedule.CronExpression) { TimeZone = TimeZone(schedule.TimeZoneId) };
        var start = schedule.StartTime > DateTimeOffset.UtcNow ? schedule.StartTime : DateTimeOffset.UtcNow;
        var first = cron.GetTimeAfter(start.AddSeconds(-1));
        if (first is null || (schedule.EndTime is { } end && first > end))
        {
            logger.LogWarning("Recurring schedule {Group}/{Id} ({Cron}) never fires; ignored", schedule.ScheduleGroup, schedule.ScheduleId, schedule.CronExpression);
            return;
        }

        var envelope = Envelope(context.SerializerContext, context.Headers, m, context.MessageId, context.ReceiveContext.ContentType.ToString(),
            context.CancellationToken);
        await using var cmd = Command($"""
            insert into {Schema}.scheduled_message (token_id, scheduled_time, schedule_id, schedule_group, cron_expression, time_zone_id, end_time,
              message_id, content_type, message_type, body, headers, conversation_id, correlation_id, initiator_id, request_id, source_address,
              destination_address, response_address, fault_address)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20)
            on conflict (schedule_group, schedule_id) where schedule_id is not null do update set scheduled_time = excluded.scheduled_time,
              cron_expression = excluded.cron_expression, time_zone_id = excluded.time_zone_id, end_time = excluded.end_time,
              body = excluded.body, headers = excluded.headers, message_type = excluded.message_type,
              destination_address = excluded.destination_address, cancelled = false, fired = false, attempts = 0, last_error = null,
              updated = now()
            """, m.CorrelationId, first.Value.UtcDateTime, schedule.ScheduleId, schedule.ScheduleGroup ?? "", schedule.CronExpression,
            schedule.TimeZoneId, schedule.EndTime?.UtcDateTime, envelope.MessageId, envelope.ContentType, envelope.MessageType, envelope.Body,
            envelope.Headers, context.ConversationId, context.CorrelationId, context.InitiatorId, context.RequestId,
            context.SourceAddress?.ToString(), m.Destination.ToString(), context.ResponseAddress?.ToString(), context.FaultAddress?.ToString());
        await cmd.ExecuteNonQueryAsync(context.CancellationToken);
        signals.Scheduler.Set();
    }

    public Task Consume(ConsumeContext<CancelScheduledRecurringMessage> context) =>
        SetRecurring(context.Message.ScheduleGroup, context.Message.ScheduleId, "cancelled = true", context.CancellationToken);

    public Task Consume(ConsumeContext<PauseScheduledRecurringMessage> context) =>
        SetRecurring(context.Message.ScheduleGroup, context.Message.ScheduleId, "paused = true", context.CancellationToken);

    public Task Consume(ConsumeContext<ResumeScheduledRecurringMessage> context) =>
        SetRecurring(context.Message.ScheduleGroup, context.Message.ScheduleId, "paused = false", context.CancellationToken);

    async Task SetRecurring(string? group, string id, string assignment, CancellationToken ct)
    {
        await using var cmd = Command($"""
            update {Schema}.scheduled_message set {assignment}, updated = now()
            where schedule_group = $1 and schedule_id = $2
            """, group ?? "", id);
        await cmd.ExecuteNonQueryAsync(ct);
        signals.Scheduler.Set();
    }

    NpgsqlCommand Command(string sql, params object?[] values)
    {
        var cmd = dataSource.CreateCommand(sql);
        foreach (var value in values)
            cmd.Parameters.Add(OutboxStore.P(value));
        return cmd;
    }

    static DateTime Utc(DateTime time) => time.Kind == DateTimeKind.Unspecified
        ? DateTime.SpecifyKind(time, DateTimeKind.Utc)
        : time.ToUniversalTime();

    static TimeZoneInfo TimeZone(string? id) => string.IsNullOrWhiteSpace(id) ? TimeZoneInfo.Utc : TimeZoneInfo.FindSystemTimeZoneById(id);

    /// <summary>
    /// The payload as a complete MassTransit envelope, as MassTransit's Quartz scheduler builds it: re-serialized with the
    /// payload's message types, carrying the scheduling token so a saga can match <c>Schedule.Received</c> to its token.
    /// </summary>
    internal static (Guid MessageId, string ContentType, string MessageType, string Body, string? Headers) Envelope<T>(
        SerializerContext serializerContext, Headers headers, T command, Guid? messageId, string contentType, CancellationToken ct)
        where T : class
    {
        var (payload, payloadType, tokenId) = command switch
        {
            ScheduleMessage s => (s.Payload, s.PayloadType, s.CorrelationId),
            ScheduleRecurringMessage r => (r.Payload, r.PayloadType, r.CorrelationId),
            _ => throw new ArgumentException($"Not a schedule command: {typeof(T).Name}", nameof(command)),
        };
        // The envelope carries the message id the consumer's inbox sees: the id of the scheduled message (for a scheduled
        // redelivery, the id of the message being redelivered), not a fresh one the send context would make up.
        var id = messageId ?? NewId.NextGuid();
        var body = serializerContext.GetMessageSerializer(payload, payloadType).GetMessageBody(new MessageSendContext<T>(command, ct) { MessageId = id });
        var all = headers.GetAll().ToDictionary(x => x.Key, x => x.Value);
        all[MessageHeaders.SchedulingTokenId] = tokenId.ToString("D");
        return (id, contentType, string.Join(";", payloadType), body.GetString(),
            SystemTextJsonMessageSerializer.Instance.SerializeDictionary(all!));
    }
}
