using System.Text.Json;
using System.Diagnostics;
using GrowthOps.Contracts.Segments;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using MassTransit;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// Keeps membership: a set-based pass over the read model for a whole segment (create, criteria edit, refresh) and
/// static additions/removals, each published through the outbox in the current transaction, in batches of at most
/// <see cref="BatchSize"/> contacts so a segment of a million members is a thousand messages, not a million.
/// </summary>
public sealed class SegmentMembership(UnitOfWork unitOfWork, SegmentsStore store, CriteriaCompiler compiler, IPublishEndpoint publish,
    SegmentCache cache, SegmentSchedulesStore schedules, TimeProvider clock)
{
    public const int BatchSize = 1000;

    /// <summary>Result of a pass: who entered and left, and how long it took.</summary>
    public sealed record Pass(int Added, int Removed, long DurationMs, int MemberCount);

    /// <summary>Recomputes a dynamic segment's members from its criteria (archived segments keep theirs frozen).</summary>
    public async Task<Pass> RecomputeAsync(Segment segment, string reason, CancellationToken ct)
    {
        var watch = Stopwatch.StartNew();
        var criteria = compiler.Parse(segment.Criteria, Logic(segment)).Criteria
                       ?? throw new InvalidOperationException($"Segment {segment.Id} has criteria that no longer parse.");
        // Every full pass follows a criteria change (create, edit, unarchive), so the time sweep learns here what to sweep.
        await schedules.SetTimeDependentAsync(segment.Id, criteria.IsTimeDependent, ct);
        var diff = await store.RecomputeAsync(segment.Id, compiler.ToSql(criteria), reason, ct);
        var ms = watch.ElapsedMilliseconds;
        await store.UpdateCountAsync(segment.Id, (int)Math.Min(ms, int.MaxValue), clock.GetUtcNow(), ct);
        await PublishAsync(segment, diff, reason, ct);
        var updated = await store.GetAsync(segment.Id, ct);
        return new Pass(diff.Entered.Count, diff.Exited.Count, ms, updated?.MemberCount ?? 0);
    }

    public async Task<MembershipDiff> AddStaticAsync(Segment segment, IReadOnlyList<Guid> contactIds, CancellationToken ct)
    {
        var diff = new MembershipDiff(await store.AddStaticAsync(segment.Id, contactIds, "added", ct), []);
        await store.UpdateCountAsync(segment.Id, null, clock.GetUtcNow(), ct);
        await PublishAsync(segment, diff, "added", ct);
        return diff;
    }

    public async Task<MembershipDiff> RemoveAsync(Segment segment, IReadOnlyList<Guid> contactIds, CancellationToken ct)
    {
        var diff = new MembershipDiff([], await store.RemoveManyAsync(segment.Id, contactIds, ct));
        await store.UpdateCountAsync(segment.Id, null, clock.GetUtcNow(), ct);
        await PublishAsync(segment, diff, "removed", ct);
        return diff;
    }

    /// <summary>Drops the tenant's cached segments once the current transaction has committed a segment write.</summary>
    public void SegmentsChanged()
    {
        var tenantId = unitOfWork.TenantId!.Value;
        cache.Invalidate(tenantId);
        unitOfWork.AfterCommit(() => cache.Invalidate(tenantId));
    }

    public static JsonElement? Logic(Segment segment) =>
        segment.CriteriaLogic is null ? null : JsonSerializer.SerializeToElement(segment.CriteriaLogic);

    async Task PublishAsync(Segment segment, MembershipDiff diff, string reason, CancellationToken ct)
    {
        var changes = diff.Entered.Select(id => (Entered: true, Id: id)).Concat(diff.Exited.Select(id => (Entered: false, Id: id))).Chunk(BatchSize).ToList();
        var passId = Guid.CreateVersion7();
        var now = clock.GetUtcNow();
        await store.CountChangesAsync([(segment.Id, diff.Entered.Count, diff.Exited.Count)], now, ct);
        for (var i = 0; i < changes.Count; i++)
            await publish.Publish(new SegmentMembershipBatchChanged(unitOfWork.TenantId!.Value, segment.Id, segment.Name, passId, i + 1, changes.Count,
                changes[i].Where(c => c.Entered).Select(c => c.Id).ToList(), changes[i].Where(c => !c.Entered).Select(c => c.Id).ToList(), reason, now), ct);
    }
}
