using GrowthOps.Contracts.Leads;
using GrowthOps.Email.Data;
using MassTransit;

namespace GrowthOps.Email.Consumers;

/// <summary>
/// Keeps the recipients read model from Leads' contact events (each carries the whole snapshot; only its version matters).
/// Behind the inbox: one transaction per message in its tenant.
/// </summary>
public sealed class ContactEventsConsumer(RecipientsStore store) :
    IConsumer<ContactCreated>, IConsumer<ContactUpdated>, IConsumer<TagAdded>, IConsumer<TagRemoved>, IConsumer<LeadStateChanged>,
    IConsumer<ContactDeleted>, IConsumer<ContactsMerged>
{
    public Task Consume(ConsumeContext<ContactCreated> context) => store.ApplyAsync([context.Message.Contact], context.CancellationToken);

    public Task Consume(ConsumeContext<ContactUpdated> context) => store.ApplyAsync([context.Message.Contact], context.CancellationToken);

    public Task Consume(ConsumeContext<TagAdded> context) => store.ApplyAsync([context.Message.Contact], context.CancellationToken);

    public Task Consume(ConsumeContext<TagRemoved> context) => store.ApplyAsync([context.Message.Contact], context.CancellationToken);

    public Task Consume(ConsumeContext<LeadStateChanged> context) => store.ApplyAsync([context.Message.Contact], context.CancellationToken);

    public Task Consume(ConsumeContext<ContactDeleted> context) =>
        store.TombstoneAsync(context.Message.ContactId, context.Message.OccurredAt, context.CancellationToken);

    /// <summary>A merge in Leads: the survivor as it is now (with the address it kept), the duplicate gone.</summary>
    public async Task Consume(ConsumeContext<ContactsMerged> context)
    {
        await store.TombstoneAsync(context.Message.DuplicateId, context.Message.OccurredAt, context.CancellationToken);
        await store.ApplyAsync([context.Message.Survivor], context.CancellationToken);
    }
}
