using GrowthOps.Contracts.Segments;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
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
        // Decided in memory, written in one statement with the counts and the day's counters (a round trip per change and a
        // recount per segment made an event that moved a contact across 20 segments cost 50 round trips).
        var entered = new List<(Guid SegmentId, Guid ContactId)>();
        var exited = new List<(Guid SegmentId, Guid ContactId)>();
        var messages = new List<SegmentMembershipChanged>();
        foreach (var contactId in change.ContactIds.Distinct())
        {
            var contact = await facts.LoadAsync(contactId, ct);
            foreach (var segment in segments)
            {
                var isMember = current.Contains((segment.Id, contactId));
                var matches = contact is not null && compiler.Matches(segment.Criteria, contact);
                if (matches == isMember)
                    continue;
                (matches ? entered : exited).Add((segment.Id, contactId));
                messages.Add(new SegmentMembershipChanged(change.TenantId, segment.Id, segment.Name, contactId, matches ? "entered" : "exited", reason, now));
            }

            // A deleted contact also leaves the segments no criteria decide (static, archived).
            if (contact is not null)
                continue;
            var others = current.Where(m => m.ContactId == contactId && segments.All(d => d.Id != m.SegmentId)).Select(m => m.SegmentId).ToList();
            if (others.Count == 0)
                continue;
            var names = await store.NamesAsync(others, ct);
            foreach (var segmentId in others)
            {
                exited.Add((segmentId, contactId));
                messages.Add(new SegmentMembershipChanged(change.TenantId, segmentId, names.GetValueOrDefault(segmentId, ""), contactId, "exited", reason, now));
            }
        }

        if (messages.Count == 0)
            return;
        await store.ApplyChangesAsync(entered, exited, reason, now, ct);
        foreach (var message in messages)
            await publish.Publish(message, ct);
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
