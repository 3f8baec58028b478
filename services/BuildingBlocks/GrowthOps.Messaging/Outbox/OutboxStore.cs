using MassTransit.Scheduling;
using GrowthOps.Messaging.Scheduling;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using MassTransit.Transports;
using Npgsql;

namespace GrowthOps.Messaging.Outbox;

/// <summary>Writes a MassTransit send into <c>outbox_message</c> inside the unit of work, and reads rows back for replay.</summary>
static class OutboxStore
{
    public const string Columns = """
        sequence_number, enqueue_time, sent_time, headers, properties, message_id, content_type, message_type, body, conversation_id,
        correlation_id, initiator_id, request_id, source_address, destination_address, response_address, fault_address, expiration_time
        """;

    public const int ColumnCount = 18;

    public static Task AddSend<T>(UnitOfWork unitOfWork, MessagingSignals signals, string schema, SendContext<T> context)
        where T : class
    {
        if (!unitOfWork.IsActive)
            throw new InvalidOperationException(
                $"Publishing {typeof(T).Name} outside a transaction: begin the UnitOfWork first, so the message commits with the data it describes.");
        if (context.MessageId is not { } messageId)
            throw new MessageException(typeof(T), "The SendContext MessageId must be present");

        var serializer = SystemTextJsonMessageSerializer.Instance;
        var body = context.Serializer.GetMessageBody(context);
        if (signals.LocalSchedulerQueue is { } schedulerQueue && IsQueue(context.DestinationAddress, schedulerQueue)
            && TrySchedule(unitOfWork, signals, schema, context, body))
            return Task.CompletedTask;

        var now = DateTime.UtcNow;
        string? properties = null;
        if (context is TransportSendContext<T> transportSendContext)
        {
            var props = new Dictionary<string, object>(StringComparer.OrdinalIgnoreCase);
            transportSendContext.WritePropertiesTo(props);
            if (props.Count > 0)
                properties = serializer.SerializeDictionary(props);
        }

        // Nothing reads the row back before commit: it travels with the COMMIT (one round trip for all of a transaction's messages).
        var insert = new NpgsqlBatchCommand($"""
            insert into {schema}.outbox_message (enqueue_time, sent_time, headers, properties, message_id, content_type, message_type, body,
              conversation_id, correlation_id, initiator_id, request_id, source_address, destination_address, response_address, fault_address,
              expiration_time)
            values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
            """)
        {
            Parameters =
            {
                P(context.Delay.HasValue ? now + context.Delay : null),
                P(context.SentTime ?? now),
                P(serializer.SerializeDictionary(context.Headers.GetAll())),
                P(properties),
                P(messageId),
                P(context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString()),
                P(string.Join(";", context.SupportedMessageTypes)),
                P(body.GetString()),
                P(context.ConversationId),
                P(context.CorrelationId),
                P(context.InitiatorId),
                P(context.RequestId),
                P(context.SourceAddress?.ToString()),
                P(context.DestinationAddress?.ToString()),
                P(context.ResponseAddress?.ToString()),
                P(context.FaultAddress?.ToString()),
                P(context.TimeToLive.HasValue ? now + context.TimeToLive : null),
            },
        };
        unitOfWork.Defer(insert);
        if (signals.NotifyOtherProcesses)
        {
            // Delivered at commit (never for a rollback), deduplicated within the transaction.
            unitOfWork.Defer(new NpgsqlBatchCommand($"select pg_notify('{schema}_outbox', '')"));
        }

        unitOfWork.AfterCommit(signals.Outbox.Set);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A schedule or cancel command for this process's own scheduler, stored the way <see cref="ScheduleMessageConsumer"/>
    /// stores it, but in the sender's transaction: no outbox row, no broker hop, no second transaction. Other scheduling
    /// commands (recurring, pause, resume) still go through the queue.
    /// </summary>
    static bool TrySchedule<T>(UnitOfWork unitOfWork, MessagingSignals signals, string schema, SendContext<T> context, MessageBody body)
        where T : class
    {
        switch (context.Message)
        {
            case ScheduleMessage schedule:
                var serializerContext = SystemTextJsonMessageSerializer.Instance.Deserialize(body, context.Headers, context.DestinationAddress);
                var contentType = context.ContentType?.ToString() ?? context.Serialization.DefaultContentType.ToString();
                unitOfWork.Defer(ScheduleMessageConsumer.Schedule(schema, schedule,
                    ScheduleMessageConsumer.Envelope(serializerContext, context.Headers, schedule, context.MessageId, contentType, context.CancellationToken),
                    ScheduleMessageConsumer.Origin.Of(context)));
                unitOfWork.AfterCommit(signals.Scheduler.Set);
                return true;
            case CancelScheduledMessage cancel:
                unitOfWork.Defer(ScheduleMessageConsumer.Cancel(schema, cancel.TokenId));
                return true;
            default:
                return false;
        }
    }

    /// <summary>Whether the address's last path segment is the queue (on every send: no allocation).</summary>
    static bool IsQueue(Uri? address, string queue)
    {
        var path = address?.AbsolutePath;
        return path is not null && path.AsSpan(path.LastIndexOf('/') + 1).SequenceEqual(queue);
    }

    /// <summary>A row as MassTransit's own <see cref="InMemoryOutboxMessage"/>, which <c>OutboxMessageSendPipe</c> replays.</summary>
    public static InMemoryOutboxMessage Read(NpgsqlDataReader r)
    {
        var message = new InMemoryOutboxMessage
        {
            SequenceNumber = r.GetInt64(0),
            EnqueueTime = r.IsDBNull(1) ? null : r.GetDateTime(1),
            SentTime = r.GetDateTime(2),
            Headers = r.IsDBNull(3) ? null : r.GetString(3),
            Properties = r.IsDBNull(4) ? null : r.GetString(4),
            MessageId = r.GetGuid(5),
            ContentType = r.GetString(6),
            MessageType = r.GetString(7),
            Body = r.GetString(8),
            ConversationId = r.IsDBNull(9) ? null : r.GetGuid(9),
            CorrelationId = r.IsDBNull(10) ? null : r.GetGuid(10),
            InitiatorId = r.IsDBNull(11) ? null : r.GetGuid(11),
            RequestId = r.IsDBNull(12) ? null : r.GetGuid(12),
            SourceAddress = Address(r, 13),
            DestinationAddress = Address(r, 14),
            ResponseAddress = Address(r, 15),
            FaultAddress = Address(r, 16),
            ExpirationTime = r.IsDBNull(17) ? null : r.GetDateTime(17),
        };
        message.Deserialize(SystemTextJsonMessageSerializer.Instance);
        return message;
    }

    public static Uri? Address(NpgsqlDataReader r, int ordinal) =>
        r.IsDBNull(ordinal) || r.GetString(ordinal) is not { Length: > 0 } s ? null : new Uri(s);

    public static NpgsqlParameter P(object? value) => new() { Value = value ?? DBNull.Value };
}
