using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// Records each change once its transaction has committed, after handing it to <paramref name="inner"/> (the service's own
/// observer, in the running service) when there is one.
/// </summary>
public sealed class RecordingContactChangeObserver(UnitOfWork unitOfWork, RecordedContactChanges recorded, IContactChangeObserver? inner = null)
    : IContactChangeObserver
{
    public async Task ContactsChangedAsync(ContactChange change, CancellationToken ct)
    {
        if (inner is not null)
            await inner.ContactsChangedAsync(change, ct);
        unitOfWork.AfterCommit(() => recorded.Add(change));
    }
}
