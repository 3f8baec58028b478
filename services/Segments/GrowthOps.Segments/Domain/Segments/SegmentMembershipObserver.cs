using GrowthOps.Contracts.Segments;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Criteria;
using GrowthOps.Segments.Domain.ReadModel;
using MassTransit;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// Per-event membership: re-evaluates the changed contacts against the tenant's active dynamic segments with the in-memory
/// predicate, and records and publishes each entry and exit in the transaction that changed the contact (so both commit or
/// neither). A deleted contact leaves every segment.
/// </summary>
public sealed class SegmentMembershipObserver(SegmentsStore store, ContactFactsStore facts, CriteriaCompiler compiler, SegmentCache cache,
    IPublishEndpoint publish, TimeProvider clock) : IContactChangeObserver
{
    public async Task ContactsChangedAsync(ContactChange change, CancellationToken ct)
    {
        var segments = await cache.GetAsync(change.TenantId, () => LoadAsync(ct));
        var current = await store.MembershipsAsync(change.ContactIds, ct);
        if (segments.Count == 0 && current.Count == 0)
            return;
        var reason = Reason(change.Cause);
        var now = clock.GetUtcNow();
        var touched = new Dictionary<Guid, (int Entered, int Exited)>();
        foreach (var contactId in change.ContactIds.Distinct())
        {
            var contact = await facts.LoadAsync(contactId, ct);
            foreach (var segment in segments)
            {
                var isMember = current.ContainsKey((segment.Id, contactId));
                var matches = contact is not null && compiler.Matches(segment.Criteria, contact);
                if (matches == isMember)
                    continue;
                if (matches)
                    await store.AddAsync(segment.Id, contactId, SegmentKinds.Dynamic, reason, ct);
                else
                    await store.RemoveAsync(segment.Id, contactId, ct);
                Count(touched, segment.Id, matches);
                await publish.Publish(new SegmentMembershipChanged(change.TenantId, segment.Id, segment.Name, contactId,
                    matches ? "entered" : "exited", reason, now), ct);
            }

            // A deleted contact also leaves the segments no criteria decide (static, archived).
            if (contact is not null)
                continue;
            foreach (var ((segmentId, _), name) in current.Where(m => m.Key.ContactId == contactId && segments.All(d => d.Id != m.Key.SegmentId)))
            {
                await store.RemoveAsync(segmentId, contactId, ct);
                Count(touched, segmentId, entered: false);
                await publish.Publish(new SegmentMembershipChanged(change.TenantId, segmentId, name, contactId, "exited", reason, now), ct);
            }
        }

        await store.CountChangesAsync(touched.Select(t => (t.Key, t.Value.Entered, t.Value.Exited)).ToList(), now, ct);
        foreach (var segmentId in touched.Keys)
            await store.UpdateCountAsync(segmentId, null, now, ct);
    }

    static void Count(Dictionary<Guid, (int Entered, int Exited)> touched, Guid segmentId, bool entered)
    {
        var (e, x) = touched.GetValueOrDefault(segmentId);
        touched[segmentId] = entered ? (e + 1, x) : (e, x + 1);
    }

    async Task<IReadOnlyList<CompiledSegment>> LoadAsync(CancellationToken ct)
    {
        var compiled = new List<CompiledSegment>();
        foreach (var segment in await store.ActiveDynamicAsync(ct))
            // Criteria were validated when saved; one that no longer parses (a stricter compiler) is skipped, not fatal to every event.
            if (compiler.Parse(segment.Criteria, SegmentMembership.Logic(segment)).Criteria is { } criteria)
                compiled.Add(new CompiledSegment(segment.Id, segment.Name, criteria));
        return compiled;
    }

    static string Reason(ContactChangeCause cause) => cause switch
    {
        ContactChangeCause.Snapshot => "contact_updated",
        ContactChangeCause.Activity => "activity",
        ContactChangeCause.Deleted => "deleted",
        ContactChangeCause.Rebuilt => "rebuilt",
        ContactChangeCause.MissingFromRebuild => "deleted",
        _ => cause.ToString(),
    };
}
