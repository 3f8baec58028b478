using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// One page of a republish, in the tenant's transaction (the inbox's): reads the next contacts in id order after where the
/// request's progress row says the last page ended, publishes them as a <see cref="ContactSnapshotsPage"/>, moves the progress
/// and asks for the next page, all through the outbox in that transaction. A page message that does not match the progress
/// (a command sent again, a chain already finished) has no effect: each page is published once per request and tenant.
/// </summary>
public sealed class RepublishContactSnapshotsPageConsumer(SnapshotRepublishStore progress, ContactsStore contacts)
    : IConsumer<RepublishContactSnapshotsPage>
{
    // Straight in the inbox's transaction, not through LeadsTransaction: a republish for a tenant Leads has never seen must
    // not seed its default states.
    public async Task Consume(ConsumeContext<RepublishContactSnapshotsPage> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        var state = await progress.LockAsync(m.RequestId, m.PageSize, ct);
        if (state.Done || state.NextPage != m.Page)
            return;

        var asOf = DateTimeOffset.UtcNow;
        var page = await contacts.PageByIdAsync(state.AfterId, state.PageSize + 1, ct);
        var last = page.Count <= state.PageSize;
        var snapshots = page.Take(state.PageSize).Select(c => c.ToSnapshot()).ToList();
        await context.Publish(new ContactSnapshotsPage(m.RequestId, m.TenantId, m.Page, last, snapshots, asOf), ct);
        await progress.AdvanceAsync(m.RequestId, m.Page + 1, snapshots.Count > 0 ? snapshots[^1].Id : state.AfterId, last, ct);
        if (!last)
            await context.Publish(m with { Page = m.Page + 1 }, ct);
    }
}
