using System.Net.Mime;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using MassTransit.Serialization;
using MassTransit.Context;

namespace GrowthOps.Messaging.Outbox;

/// <summary>
/// Sends an outbox row as it was stored: the envelope MassTransit serialised when the message was published, byte for byte,
/// with the headers and properties it had. MassTransit's own <c>OutboxMessageSendPipe</c> deserialises every body and
/// serialises it again; the row already is the wire format. (The scheduler keeps MassTransit's pipe: it sends recurring
/// occurrences with message ids of their own, which must be written into the envelope.)
/// </summary>
sealed class StoredMessageSendPipe(InMemoryOutboxMessage message) : IPipe<SendContext>
{
    public Task Send(SendContext context)
    {
        context.MessageId = message.MessageId;
        context.RequestId = message.RequestId;
        context.ConversationId = message.ConversationId;
        context.CorrelationId = message.CorrelationId;
        context.InitiatorId = message.InitiatorId;
        context.SourceAddress = message.SourceAddress;
        context.ResponseAddress = message.ResponseAddress;
        context.FaultAddress = message.FaultAddress;
        context.SupportedMessageTypes = message.MessageType.Split(';');
        if (message.ExpirationTime is { } expiration)
            context.TimeToLive = expiration.ToUniversalTime() - DateTime.UtcNow;

        foreach (var header in ((MessageContext)message).Headers.GetAll())
            context.Headers.Set(header.Key, header.Value);
        if (((OutboxMessageContext)message).Properties is { Count: > 0 } properties && context is TransportSendContext transport)
            transport.ReadPropertiesFrom(properties);

        context.Serializer = new StoredBody(new ContentType(message.ContentType), message.Body);
        return Task.CompletedTask;
    }

    public void Probe(ProbeContext context) => context.CreateFilterScope("stored-message");

    sealed class StoredBody(ContentType contentType, string body) : IMessageSerializer
    {
        public ContentType ContentType => contentType;

        public MessageBody GetMessageBody<T>(SendContext<T> context)
            where T : class => new StringMessageBody(body);
    }
}
