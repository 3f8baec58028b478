using System.Collections.Concurrent;
using GrowthOps.Segments.Domain.ReadModel;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>The read-model changes the service reported to its <see cref="IContactChangeObserver"/>, as they committed.</summary>
public sealed class RecordedContactChanges
{
    readonly ConcurrentQueue<ContactChange> changes = new();

    public void Add(ContactChange change) => changes.Enqueue(change);

    public IReadOnlyList<ContactChange> Of(Guid tenantId) => changes.Where(c => c.TenantId == tenantId).ToList();
}
