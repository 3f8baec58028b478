using GrowthOps.Messaging.Outbox;
using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;

namespace GrowthOps.Messaging.Inbox;

/// <summary>
/// The consume context a consumer or saga sees under the inbox: publish, send and schedule write outbox rows in the
/// message's transaction. MassTransit's proxy does the redirecting; its delivery bookkeeping is unused because our relay
/// delivers consumer outbox rows like any other after the one commit.
/// </summary>
sealed class InboxConsumeContext<TMessage>(
    ConsumeContext<TMessage> context,
    OutboxConsumeOptions options,
    IServiceProvider provider,
    UnitOfWork unitOfWork,
    MessagingSignals signals,
    string schema) : OutboxConsumeContextProxy<TMessage>(context, options, provider)
    where TMessage : class
{
    public override bool ContinueProcessing { get; set; }
    public override bool IsMessageConsumed => false;
    public override bool IsOutboxDelivered => false;
    public override int ReceiveCount => 1;
    public override long? LastSequenceNumber => null;

    public override Task SetConsumed() => Task.CompletedTask;
    public override Task SetDelivered() => Task.CompletedTask;
    public override Task<List<OutboxMessageContext>> LoadOutboxMessages() => Task.FromResult(new List<OutboxMessageContext>());
    public override Task NotifyOutboxMessageDelivered(OutboxMessageContext message) => Task.CompletedTask;
    public override Task RemoveOutboxMessages() => Task.CompletedTask;

    public override Task AddSend<T>(SendContext<T> context) => OutboxStore.AddSend(unitOfWork, signals, schema, context);
}
