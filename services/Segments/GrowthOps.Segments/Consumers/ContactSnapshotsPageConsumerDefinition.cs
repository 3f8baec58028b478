using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// A page writes hundreds of rows in one transaction: a few at a time are enough to keep up, and leave connections and row
/// locks to the live events (which have their own queues).
/// </summary>
public sealed class ContactSnapshotsPageConsumerDefinition : ConsumerDefinition<ContactSnapshotsPageConsumer>
{
    public const int ConcurrentPages = 2;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ContactSnapshotsPageConsumer> consumerConfigurator, IRegistrationContext context) =>
        consumerConfigurator.UseConcurrentMessageLimit(ConcurrentPages);
}
