using GrowthOps.Contracts.Leads;
using GrowthOps.Email.Data;
using MassTransit;

namespace GrowthOps.Email.Consumers;

/// <summary>
/// Applies one page of a rebuild (Leads answers <see cref="RepublishContactSnapshots"/> with pages that every read model
/// receives): versions keep the newer of a page's and a live event's state. Behind the inbox.
/// </summary>
public sealed class ContactSnapshotsPageConsumer(RecipientsStore store) : IConsumer<ContactSnapshotsPage>
{
    public Task Consume(ConsumeContext<ContactSnapshotsPage> context) => store.ApplyAsync(context.Message.Contacts, context.CancellationToken);
}
