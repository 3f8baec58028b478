using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>The audit trail of lead state changes.</summary>
public sealed class HistoryStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Writes the history entry and moves the contact to the entry's target state, in one statement (one round trip, and
    /// only the state columns of the contact are rewritten). Returns the contact's new version.
    /// </summary>
    public async Task<long> RecordTransitionAsync(HistoryEntry entry, CancellationToken ct)
    {
        var version = await unitOfWork.Connection.QuerySingleOrDefaultAsync<long?>(unitOfWork.Command("""
            with entry as (
              insert into leads.lead_state_history (tenant_id, id, contact_id, from_state_id, to_state_id, transition_id, notes, triggered_by,
                source, seconds_in_previous_state, occurred_at)
              values (leads.current_tenant(), @Id, @ContactId, @FromStateId, @ToStateId, @TransitionId, @Notes, @TriggeredBy, @Source,
                @SecondsInPreviousState, @OccurredAt))
            update leads.contacts set state_id = @ToStateId, state_entered_at = @OccurredAt, updated = @OccurredAt where id = @ContactId
            returning version
            """, entry, ct));
        return version ?? throw new InvalidOperationException($"Contact {entry.ContactId} vanished while its transition was recorded.");
    }

    public async Task<IReadOnlyList<HistoryEntry>> ListAsync(Guid contactId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<HistoryEntry>(unitOfWork.Command("""
            select h.id, h.contact_id, h.from_state_id, f.name as from_state, h.to_state_id, t.name as to_state, h.transition_id, h.notes,
                   h.triggered_by, h.source, h.seconds_in_previous_state, h.occurred_at
            from leads.lead_state_history h
            left join leads.lead_states f on f.tenant_id = h.tenant_id and f.id = h.from_state_id
            left join leads.lead_states t on t.tenant_id = h.tenant_id and t.id = h.to_state_id
            where h.contact_id = @contactId order by h.occurred_at, h.id
            """, new { contactId }, ct))).ToList();
}
