using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Keeps the read model's contacts from Leads' contact events, on one queue (<c>segments-contact-events</c>): each event
/// carries the whole snapshot, so which kind it is does not matter, only its version. Behind the inbox: one transaction per
/// message in its tenant.
/// </summary>
public sealed class ContactEventsConsumer(ReadModelUpdater updater) :
    IConsumer<ContactCreated>, IConsumer<ContactUpdated>, IConsumer<TagAdded>, IConsumer<TagRemoved>, IConsumer<LeadStateChanged>,
    IConsumer<ContactDeleted>, IConsumer<ContactsMerged>
{
    public Task Consume(ConsumeContext<ContactCreated> context) => updater.ApplyAsync(context.Message.Contact, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactUpdated> context) => updater.ApplyAsync(context.Message.Contact, context.CancellationToken);

    public Task Consume(ConsumeContext<TagAdded> context) => updater.ApplyAsync(context.Message.Contact, context.CancellationToken);

    public Task Consume(ConsumeContext<TagRemoved> context) => updater.ApplyAsync(context.Message.Contact, context.CancellationToken);

    public Task Consume(ConsumeContext<LeadStateChanged> context) =>
        updater.ApplyAsync(context.Message.Contact, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactDeleted> context) =>
        updater.DeleteAsync(context.Message.ContactId, context.Message.OccurredAt, context.CancellationToken);

    public Task Consume(ConsumeContext<ContactsMerged> context) => updater.MergeAsync(context.Message, context.CancellationToken);
}
