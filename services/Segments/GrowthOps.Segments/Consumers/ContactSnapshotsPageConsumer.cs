using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>Applies one page of a rebuild (<see cref="ReadModelRebuilder"/>). Behind the inbox.</summary>
public sealed class ContactSnapshotsPageConsumer(ReadModelRebuilder rebuilder) : IConsumer<ContactSnapshotsPage>
{
    public Task Consume(ConsumeContext<ContactSnapshotsPage> context) => rebuilder.ApplyPageAsync(context.Message, context.CancellationToken);
}
