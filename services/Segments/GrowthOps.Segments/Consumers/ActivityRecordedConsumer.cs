using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>Counts each activity once into the contact's totals and retained activities. Behind the inbox.</summary>
public sealed class ActivityRecordedConsumer(ReadModelUpdater updater) : IConsumer<ActivityRecorded>
{
    public Task Consume(ConsumeContext<ActivityRecorded> context) => updater.RecordAsync(context.Message, context.CancellationToken);
}
