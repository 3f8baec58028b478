namespace GrowthOps.Messaging.Outbox;

/// <summary>
/// Observes the relay between handing a batch to the broker and deleting it from the outbox: the window in which a crash
/// causes redelivery. Used by the crash tests; production registers none.
/// </summary>
public interface IOutboxRelayHook
{
    Task BatchSent(int count, CancellationToken cancellationToken);
}
