using GrowthOps.Segments.Domain.ReadModel;

namespace GrowthOps.Bench.Segments;

/// <summary>The read model's change observer with no segments behind it: the per-event transaction's own cost.</summary>
sealed class NoSegments : IContactChangeObserver
{
    public static readonly NoSegments Instance = new();

    public Task ContactsChangedAsync(ContactChange change, CancellationToken ct) => Task.CompletedTask;
}
