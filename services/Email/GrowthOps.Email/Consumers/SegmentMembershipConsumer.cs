using GrowthOps.Contracts.Segments;
using GrowthOps.Email.Data;
using MassTransit;

namespace GrowthOps.Email.Consumers;

/// <summary>Keeps Email's copy of segment membership (audiences) from Segments' per-event and per-pass changes. Behind the inbox.</summary>
public sealed class SegmentMembershipConsumer(SegmentMembersStore store) :
    IConsumer<SegmentMembershipChanged>, IConsumer<SegmentMembershipBatchChanged>
{
    public Task Consume(ConsumeContext<SegmentMembershipChanged> context)
    {
        var m = context.Message;
        var contact = (IReadOnlyList<Guid>)[m.ContactId];
        return m.Change == "entered"
            ? store.ApplyAsync(m.SegmentId, m.SegmentName, contact, [], m.OccurredAt, context.CancellationToken)
            : store.ApplyAsync(m.SegmentId, m.SegmentName, [], contact, m.OccurredAt, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<SegmentMembershipBatchChanged> context)
    {
        var m = context.Message;
        return store.ApplyAsync(m.SegmentId, m.SegmentName, m.Entered, m.Exited, m.OccurredAt, context.CancellationToken);
    }
}
