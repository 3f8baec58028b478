using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>Takes the place of the service's no-op observer: records each change once its transaction has committed.</summary>
public sealed class RecordingContactChangeObserver(UnitOfWork unitOfWork, RecordedContactChanges recorded) : IContactChangeObserver
{
    public Task ContactsChangedAsync(ContactChange change, CancellationToken ct)
    {
        unitOfWork.AfterCommit(() => recorded.Add(change));
        return Task.CompletedTask;
    }
}
