using GrowthOps.Contracts.Segments;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Segments;
using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Workflows' add_to_segment / remove_from_segment, behind the inbox: the contact into or out of a static segment, with the
/// entry or exit published as any other; refusals answered with <see cref="SegmentCommandFailed"/> in the same transaction.
/// </summary>
public sealed class SegmentCommandsConsumer(SegmentsStore store, SegmentMembership membership, TimeProvider clock) :
    IConsumer<AddToSegment>, IConsumer<RemoveFromSegment>
{
    public Task Consume(ConsumeContext<AddToSegment> context) =>
        ApplyAsync(context, nameof(AddToSegment), context.Message.TenantId, context.Message.CommandId, context.Message.SegmentId, context.Message.ContactId,
            context.Message.RequestedBy, add: true);

    public Task Consume(ConsumeContext<RemoveFromSegment> context) =>
        ApplyAsync(context, nameof(RemoveFromSegment), context.Message.TenantId, context.Message.CommandId, context.Message.SegmentId,
            context.Message.ContactId, context.Message.RequestedBy, add: false);

    async Task ApplyAsync(ConsumeContext context, string command, Guid tenantId, Guid commandId, Guid segmentId, Guid contactId, string requestedBy,
        bool add)
    {
        var ct = context.CancellationToken;
        Task Refuse(string reason, string message) => context.Publish(new SegmentCommandFailed(tenantId, commandId, command, segmentId, contactId,
            requestedBy, reason, message, clock.GetUtcNow()), ct);

        var segment = await store.GetAsync(segmentId, ct);
        if (segment is null)
        {
            await Refuse("segment_not_found", $"Segment {segmentId} does not exist.");
            return;
        }

        if (segment.IsDynamic)
        {
            await Refuse("segment_dynamic", $"Segment '{segment.Name}' is dynamic: its criteria decide its members.");
            return;
        }

        if (add && (await store.ResolveContactsAsync([contactId], [], ct)).Count == 0)
        {
            await Refuse("contact_not_found", $"No contact {contactId}.");
            return;
        }

        if (add)
            await membership.AddStaticAsync(segment, [contactId], ct);
        else
            await membership.RemoveAsync(segment, [contactId], ct);
    }
}
