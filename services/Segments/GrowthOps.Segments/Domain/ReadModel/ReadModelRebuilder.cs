using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Data;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>
/// Rebuilds the read model without Leads' database, from the <see cref="ContactSnapshotsPage"/>s Leads publishes for a
/// <see cref="RepublishContactSnapshots"/> request (<see cref="Apis.ReadModelApi"/> asks for one). Each page applies like
/// live events, by version, so pages and live events may interleave in any order. Pages of rebuilds asked for by anyone
/// (an operator's all-tenant request, another service's) are applied too: they are as true as any snapshot. Once every
/// page of a rebuild has arrived, the contacts that none listed were deleted in Leads while their <see cref="ContactDeleted"/>
/// was lost, and become tombstones — unless something was written to them since shortly before the rebuild began
/// (<see cref="SegmentsOptions.RebuildDeletionGrace"/>): a contact created as Leads took its snapshot is missing from the
/// pages but arrives by its own event.
/// </summary>
public sealed class ReadModelRebuilder(ReadModelStore contacts, RebuildsStore rebuilds, ReadModelUpdater updater, IOptions<SegmentsOptions> options)
{
    public async Task ApplyPageAsync(ContactSnapshotsPage page, CancellationToken ct)
    {
        // In id order, so that concurrent pages (of two rebuilds) lock shared rows in the same order.
        var snapshots = page.Contacts.OrderBy(c => c.Id).ToList();
        var applied = await contacts.ApplyAsync(snapshots, null, ct);
        await contacts.MarkSeenAsync(snapshots.Select(c => c.Id).ToList(), page.AsOf, ct);
        await updater.NotifyAsync(applied, ContactChangeCause.Rebuilt, ct);

        var receipt = await rebuilds.ReceivePageAsync(page, ct);
        if (!receipt.Completes)
            return;
        // The earlier of the two clocks' starts: ours when we asked, Leads' when it took the first page.
        var began = receipt.RequestedAt is { } requested && requested < receipt.AsOf ? requested : receipt.AsOf;
        var gone = await contacts.TombstoneUnseenAsync(receipt.AsOf, began - options.Value.RebuildDeletionGrace, ct);
        await updater.NotifyAsync(gone, ContactChangeCause.MissingFromRebuild, ct);
        await rebuilds.CompleteAsync(page.RequestId, gone.Count, ct);
    }
}
