using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;

namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>
/// Applies Leads' contact events to the read model in the current unit of work and tells the
/// <see cref="IContactChangeObserver"/> of what really changed. Events may come late, twice, or in any order: see
/// <see cref="ReadModelStore"/> for why any order gives the same read model.
/// </summary>
public sealed class ReadModelUpdater(UnitOfWork unitOfWork, ReadModelStore store, PropensityStore propensity, IContactChangeObserver observer)
{
    public Task ApplyAsync(ContactSnapshot contact, CancellationToken ct) => ApplyAsync(contact, null, ct);

    /// <summary><paramref name="stateChangedAt"/>: a state change's time, for snapshots from before they carried <c>StateEnteredAt</c>.</summary>
    public async Task ApplyAsync(ContactSnapshot contact, DateTimeOffset? stateChangedAt, CancellationToken ct)
    {
        if ((await store.ApplyAsync([contact], stateChangedAt, ct)).Count > 0)
            await NotifyAsync([contact.Id], ContactChangeCause.Snapshot, ct);
    }

    public async Task DeleteAsync(Guid contactId, DateTimeOffset deletedAt, CancellationToken ct)
    {
        if (await store.TombstoneAsync(contactId, deletedAt, ct))
            await NotifyAsync([contactId], ContactChangeCause.Deleted, ct);
    }

    /// <summary>
    /// <see cref="ContactsMerged"/>: the survivor as it is now, the duplicate's activities on it, the duplicate a tombstone;
    /// memberships are decided again for both.
    /// </summary>
    public async Task MergeAsync(ContactsMerged merged, CancellationToken ct)
    {
        await store.ApplyAsync([merged.Survivor], null, ct);
        await store.MoveActivitiesAsync(merged.DuplicateId, merged.SurvivorId, ct);
        var wasContact = await store.TombstoneAsync(merged.DuplicateId, merged.OccurredAt, ct);
        if (wasContact)
            await NotifyAsync([merged.DuplicateId], ContactChangeCause.Deleted, ct);
        await NotifyAsync([merged.SurvivorId], ContactChangeCause.Snapshot, ct);
    }

    public async Task RecordAsync(ActivityRecorded activity, CancellationToken ct)
    {
        if (await store.RecordActivityAsync(activity, ct))
            await NotifyAsync([activity.ContactId], ContactChangeCause.Activity, ct);
    }

    /// <summary>Re-predicts the contacts' <c>predicted_conversion</c> first, so that membership is decided on the new value.</summary>
    public async Task NotifyAsync(IReadOnlyList<Guid> contactIds, ContactChangeCause cause, CancellationToken ct)
    {
        if (contactIds.Count == 0)
            return;
        await propensity.PredictAsync(contactIds, ct);
        await observer.ContactsChangedAsync(new ContactChange(unitOfWork.TenantId!.Value, contactIds, cause), ct);
    }
}
