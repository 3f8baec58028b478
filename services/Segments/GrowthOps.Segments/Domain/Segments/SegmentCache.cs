using System.Collections.Concurrent;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// Each tenant's active dynamic segments with their parsed criteria, for per-event evaluation: loaded once per
/// <see cref="Lifetime"/> instead of on every event, and dropped on this instance as soon as a segment write commits. Another
/// instance's writes are seen within <see cref="Lifetime"/>; a full refresh corrects anything decided in between.
/// </summary>
public sealed class SegmentCache(TimeProvider clock)
{
    public static readonly TimeSpan Lifetime = TimeSpan.FromSeconds(30);

    readonly ConcurrentDictionary<Guid, (DateTimeOffset LoadedAt, IReadOnlyList<CompiledSegment> Segments)> tenants = new();

    public async Task<IReadOnlyList<CompiledSegment>> GetAsync(Guid tenantId, Func<Task<IReadOnlyList<CompiledSegment>>> load)
    {
        var now = clock.GetUtcNow();
        if (tenants.TryGetValue(tenantId, out var entry) && now - entry.LoadedAt < Lifetime)
            return entry.Segments;
        var segments = await load();
        tenants[tenantId] = (now, segments);
        return segments;
    }

    public void Invalidate(Guid tenantId) => tenants.TryRemove(tenantId, out _);
}
