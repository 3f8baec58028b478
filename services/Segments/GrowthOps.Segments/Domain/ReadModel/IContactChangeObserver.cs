namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>
/// Told of every change applied to the read model, inside the transaction that applied it (the consumed message's, whose
/// scoped <see cref="GrowthOps.Persistence.UnitOfWork"/> it may use): where per-event re-evaluation of segment membership
/// plugs in, so that what it records and publishes commits with the change or not at all. Not called for events that
/// changed nothing (stale, duplicated, or about a deleted contact).
/// </summary>
public interface IContactChangeObserver
{
    Task ContactsChangedAsync(ContactChange change, CancellationToken ct);
}
