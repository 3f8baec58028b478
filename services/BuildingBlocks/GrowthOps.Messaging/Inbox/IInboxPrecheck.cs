namespace GrowthOps.Messaging.Inbox;

/// <summary>
/// A consumer's cheap answer, before the inbox opens a transaction, to "can this message have any effect for me?". When it
/// cannot, the message is acknowledged without a transaction or an inbox row: with no effects there is nothing to apply
/// twice. Register it for the consumer type as <see cref="IInboxPrecheck{TConsumer,TMessage}"/>. A wrong "yes" only costs
/// the transaction; a "no" must be certain.
/// </summary>
public interface IInboxPrecheck<in TMessage>
    where TMessage : class
{
    ValueTask<bool> MayHaveEffectsAsync(TMessage message, CancellationToken cancellationToken);
}

/// <summary>The precheck of one consumer (or saga) type for one message type.</summary>
public interface IInboxPrecheck<TConsumer, in TMessage> : IInboxPrecheck<TMessage>
    where TConsumer : class
    where TMessage : class;
