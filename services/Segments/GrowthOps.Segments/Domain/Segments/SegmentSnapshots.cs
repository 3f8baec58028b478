using GrowthOps.Segments.Data;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>Takes snapshots of a segment's members and keeps at most <see cref="SegmentsOptions.SnapshotsKept"/> of them per segment.</summary>
public sealed class SegmentSnapshots(SnapshotsStore store, TimeProvider clock, IOptions<SegmentsOptions> options)
{
    public async Task<SegmentSnapshot> TakeAsync(Segment segment, string type, CancellationToken ct)
    {
        var snapshot = await store.TakeAsync(Guid.CreateVersion7(), segment.Id, type, clock.GetUtcNow(), ct);
        await store.PruneAsync(segment.Id, options.Value.SnapshotsKept, snapshot.Id, ct);
        return snapshot;
    }
}
