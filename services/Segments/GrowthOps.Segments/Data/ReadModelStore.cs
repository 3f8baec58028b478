using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Segments.Data;

/// <summary>
/// Writes the read model from Leads' events, in the tenant's unit of work (the consumed message's). Every write is safe
/// to repeat and to receive in any order: a snapshot applies only over an older version, a tombstone is final, an
/// activity counts once by its id. Each method answers which contacts it really changed. Columns another service will
/// own (<c>purchase_count</c>, and the rest of Revenue and Attribution) are never written here.
/// </summary>
public sealed class ReadModelStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Leads' snapshot of a contact, applied unless the row holds the same or a newer version, or is a tombstone.
    /// <c>last_interaction_at</c> only moves forward (as in Leads, which also moves it on every activity, so the newest
    /// snapshot's value and the activities seen here agree in any order). Snapshots carry no consent time: <c>consent_at</c>
    /// is when an applied snapshot first showed consent (exact when events come in order). Messages from before versions
    /// existed read as version 0; between two of those the later <c>updated_at</c> wins.
    /// </summary>
    const string Upsert = """
        insert into segments.contacts as c (tenant_id, id, version, deleted, email, kind, first_name, last_name, phone, company, source, channel,
          owner_id, timezone, score, ai_score, marketing_consent, consent_at, email_verified, attributes, tags, lead_state, state_entered_at,
          last_interaction_at, created_at, updated_at)
        values (segments.current_tenant(), $1, $2, false, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, case when $15 then $23 end,
          $16, $17::jsonb, $18, $19, $20, $21, $22, $23)
        on conflict (tenant_id, id) do update set
          version = excluded.version, deleted = false, email = excluded.email, kind = excluded.kind, first_name = excluded.first_name,
          last_name = excluded.last_name, phone = excluded.phone, company = excluded.company, source = excluded.source,
          channel = excluded.channel, owner_id = excluded.owner_id, timezone = excluded.timezone, score = excluded.score,
          ai_score = excluded.ai_score, marketing_consent = excluded.marketing_consent,
          consent_at = case when not excluded.marketing_consent then null when c.marketing_consent then c.consent_at else excluded.consent_at end,
          email_verified = excluded.email_verified, attributes = excluded.attributes, tags = excluded.tags, lead_state = excluded.lead_state,
          state_entered_at = coalesce(excluded.state_entered_at,
            case when excluded.lead_state is not distinct from c.lead_state then c.state_entered_at end),
          last_interaction_at = greatest(c.last_interaction_at, excluded.last_interaction_at),
          created_at = excluded.created_at, updated_at = excluded.updated_at, applied_at = now()
        where c.deleted_at is null
          and (excluded.version > c.version or (excluded.version = 0 and c.version = 0 and excluded.updated_at > c.updated_at))
        """;

    /// <summary>What a tombstone keeps of Leads' fields: nothing (the contact's personal data goes with it).</summary>
    const string ClearLeadsFields = """
        email = null, kind = null, first_name = null, last_name = null, phone = null, company = null, source = null, channel = null,
        owner_id = null, timezone = null, score = 0, ai_score = null, marketing_consent = false, consent_at = null, email_verified = false,
        attributes = '{}', tags = '{}', lead_state = null, state_entered_at = null, last_interaction_at = null
        """;

    /// <summary>
    /// Applies snapshots (a live event's one, or a rebuild page's, sorted by id so that concurrent pages lock rows in one
    /// order); <paramref name="stateChangedAt"/> stands in for a missing <c>StateEnteredAt</c> (older messages). Returns
    /// the ids it applied.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ApplyAsync(IReadOnlyList<ContactSnapshot> snapshots, DateTimeOffset? stateChangedAt, CancellationToken ct)
    {
        if (snapshots.Count == 0)
            return [];
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction);
        foreach (var s in snapshots)
            batch.BatchCommands.Add(Command(Upsert, s.Id, s.Version, s.Email, s.Kind, s.FirstName, s.LastName, s.Phone, s.Company, s.Source,
                s.Channel, s.OwnerId, s.Timezone, s.Score, s.AiScore, s.MarketingConsent, s.EmailVerified,
                JsonSerializer.Serialize(s.Attributes ?? new Dictionary<string, JsonElement>()), (string[])[.. s.Tags ?? []], s.LeadState,
                s.StateEnteredAt ?? stateChangedAt, s.LastInteractionAt, s.CreatedAt, s.UpdatedAt));
        await batch.ExecuteNonQueryAsync(ct);
        return snapshots.Where((_, i) => batch.BatchCommands[i].RecordsAffected > 0).Select(s => s.Id).ToList();
    }

    /// <summary>
    /// A merge in Leads: the duplicate's activity totals add to the survivor's and its retained activities become the
    /// survivor's (the survivor's row must be there: apply its snapshot first). Then tombstone the duplicate. Repeating it
    /// moves nothing more: the duplicate has nothing left.
    /// </summary>
    public async Task MoveActivitiesAsync(Guid duplicateId, Guid survivorId, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("""
                    insert into segments.contact_activity as a (tenant_id, contact_id, type, count, first_at, last_at)
                    select d.tenant_id, $2, d.type, d.count, d.first_at, d.last_at from segments.contact_activity d
                    where d.tenant_id = segments.current_tenant() and d.contact_id = $1
                      and exists (select 1 from segments.contacts s where s.tenant_id = d.tenant_id and s.id = $2 and not s.deleted)
                    on conflict (tenant_id, contact_id, type) do update set count = a.count + excluded.count,
                      first_at = least(a.first_at, excluded.first_at), last_at = greatest(a.last_at, excluded.last_at)
                    """, duplicateId, survivorId),
                Command("""
                    update segments.activities x set contact_id = $2 where x.tenant_id = segments.current_tenant() and x.contact_id = $1
                      and exists (select 1 from segments.contacts s where s.tenant_id = x.tenant_id and s.id = $2 and not s.deleted)
                    """, duplicateId, survivorId),
                Command("delete from segments.contact_activity where tenant_id = segments.current_tenant() and contact_id = $1", duplicateId),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// Makes the contact a tombstone (a row of its own if none was there yet) and drops its activities. Returns whether it
    /// was a contact until now. The deletes are statements of their own so that they see activities committed while the
    /// tombstone waited for the contact's row lock.
    /// </summary>
    public async Task<bool> TombstoneAsync(Guid contactId, DateTimeOffset deletedAt, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command($"""
                    insert into segments.contacts as c (tenant_id, id, version, deleted, deleted_at, created_at, updated_at)
                    values (segments.current_tenant(), $1, -1, true, $2, $2, $2)
                    on conflict (tenant_id, id) do update set deleted = true, deleted_at = excluded.deleted_at, {ClearLeadsFields}, applied_at = now()
                    where c.deleted_at is null
                    returning c.version >= 0
                    """, contactId, deletedAt),
                Command("delete from segments.contact_activity where tenant_id = segments.current_tenant() and contact_id = $1", contactId),
                Command("delete from segments.activities where tenant_id = segments.current_tenant() and contact_id = $1", contactId),
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var wasContact = await reader.ReadAsync(ct) && reader.GetBoolean(0);
        while (await reader.NextResultAsync(ct))
        {
        }

        return wasContact;
    }

    /// <summary>
    /// Records an activity once (by its id) into the totals and the retained activities, and moves the contact's last
    /// interaction; an activity before its contact goes to a stub, one after its deletion is dropped. One statement: the
    /// contact's row is locked first, so a concurrent deletion either waits for it (and drops it) or is seen (and it is
    /// dropped here). Returns whether a contact (not a stub or tombstone) changed.
    /// </summary>
    public async Task<bool> RecordActivityAsync(ActivityRecorded activity, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            with touched as (
              insert into segments.contacts as c (tenant_id, id, version, deleted, last_interaction_at, created_at, updated_at)
              values (segments.current_tenant(), $1, -1, true, $3, $3, $3)
              on conflict (tenant_id, id) do update set last_interaction_at = greatest(c.last_interaction_at, excluded.last_interaction_at)
              where c.deleted_at is null
              returning c.deleted
            ), recorded as (
              insert into segments.activities (tenant_id, id, contact_id, type, occurred_at, metadata)
              select segments.current_tenant(), $2, $1, $4, $3, $5::jsonb from touched
              on conflict (tenant_id, id) do nothing
              returning type, occurred_at
            ), totals as (
              insert into segments.contact_activity as t (tenant_id, contact_id, type, count, first_at, last_at)
              select segments.current_tenant(), $1, type, 1, occurred_at, occurred_at from recorded
              on conflict (tenant_id, contact_id, type) do update
                set count = t.count + 1, first_at = least(t.first_at, excluded.first_at), last_at = greatest(t.last_at, excluded.last_at)
            )
            select exists (select 1 from recorded) and not coalesce((select deleted from touched), true)
            """, unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters =
            {
                Of(activity.ContactId), Of(activity.ActivityId), Of(activity.OccurredAt), Of(activity.Type),
                Of(JsonSerializer.Serialize(activity.Metadata ?? new Dictionary<string, JsonElement>())),
            },
        };
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>Marks contacts as listed by a rebuild page taken at <paramref name="asOf"/>, whether or not their snapshot was newer.</summary>
    public async Task MarkSeenAsync(IReadOnlyList<Guid> contactIds, DateTimeOffset asOf, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            update segments.contacts set rebuild_seen_at = greatest(rebuild_seen_at, $2)
             where tenant_id = segments.current_tenant() and id = any($1)
            """, unitOfWork.Connection, unitOfWork.Transaction) { Parameters = { Of(contactIds.ToArray()), Of(asOf) } };
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>
    /// After a complete rebuild whose earliest page was taken at <paramref name="seenSince"/>: tombstones every contact (and
    /// stub) that no page listed and that nothing wrote here since <paramref name="quietBefore"/>. Returns the ids of those
    /// that were contacts.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> TombstoneUnseenAsync(DateTimeOffset seenSince, DateTimeOffset quietBefore, CancellationToken ct)
    {
        var gone = new List<(Guid Id, bool WasContact)>();
        await using (var update = new NpgsqlCommand($"""
            update segments.contacts c set deleted = true, deleted_at = $1, {ClearLeadsFields}, applied_at = now()
             where c.tenant_id = segments.current_tenant() and c.deleted_at is null
               and (c.rebuild_seen_at is null or c.rebuild_seen_at < $1) and c.applied_at < $2
            returning c.id, c.version >= 0
            """, unitOfWork.Connection, unitOfWork.Transaction) { Parameters = { Of(seenSince), Of(quietBefore) } })
        {
            await using var reader = await update.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
                gone.Add((reader.GetGuid(0), reader.GetBoolean(1)));
        }

        if (gone.Count == 0)
            return [];
        var ids = gone.Select(g => g.Id).ToArray();
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("delete from segments.contact_activity where tenant_id = segments.current_tenant() and contact_id = any($1)", ids),
                Command("delete from segments.activities where tenant_id = segments.current_tenant() and contact_id = any($1)", ids),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
        return gone.Where(g => g.WasContact).Select(g => g.Id).ToList();
    }
}
