using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>Contact merges: moving a duplicate's rows onto its survivor, tombstones, and the duplicate finder's queries.</summary>
public sealed class MergesStore(UnitOfWork unitOfWork)
{
    /// <summary>How many of the duplicate's rows of each kind now belong to the survivor.</summary>
    public sealed record Moved(int Activities, int StateHistory, int Deals, int Tasks, int Notes, int Emails);

    /// <summary>
    /// Every row that names the duplicate names the survivor instead: activities, lead-state history and predictions, automation
    /// runs, HubSpot links, deal associations (a deal on both keeps one), tasks, notes, secondary emails and earlier tombstones
    /// (a chain is flattened: every id merged into the duplicate now points to the survivor). The duplicate's primary email is
    /// not touched here (see <see cref="AddSecondaryEmailsAsync"/>).
    /// </summary>
    public async Task<Moved> MoveAsync(Guid duplicateId, Guid survivorId, CancellationToken ct)
    {
        using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command("""
            with moved as (update leads.activities set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            with moved as (update leads.lead_state_history set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            update leads.lead_state_predictions set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d;
            update leads.automation_executions set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d;
            update leads.hubspot_contacts set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d;
            update leads.hubspot_deals set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d;
            insert into leads.deal_contacts (tenant_id, deal_id, contact_id, added_at)
            select tenant_id, deal_id, @s, added_at from leads.deal_contacts where tenant_id = leads.current_tenant() and contact_id = @d
            on conflict (tenant_id, deal_id, contact_id) do nothing;
            with moved as (delete from leads.deal_contacts where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            with moved as (update leads.tasks set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            with moved as (update leads.notes set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            with moved as (update leads.contact_emails set contact_id = @s where tenant_id = leads.current_tenant() and contact_id = @d returning 1)
            select count(*)::int from moved;
            update leads.contact_merges set survivor_id = @s where tenant_id = leads.current_tenant() and survivor_id = @d;
            """, new { d = duplicateId, s = survivorId }, ct));
        var activities = await grid.ReadSingleAsync<int>();
        var history = await grid.ReadSingleAsync<int>();
        var deals = await grid.ReadSingleAsync<int>();
        var tasks = await grid.ReadSingleAsync<int>();
        var notes = await grid.ReadSingleAsync<int>();
        var emails = await grid.ReadSingleAsync<int>();
        return new Moved(activities, history, deals, tasks, notes, emails);
    }

    /// <summary>Addresses that become the contact's secondary ones (an address already one of its is kept as it is).</summary>
    public Task AddSecondaryEmailsAsync(Guid contactId, IEnumerable<string> emails, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.contact_emails (tenant_id, email_normalized, email, contact_id)
            select leads.current_tenant(), k, e, @contactId from unnest(@keys, @emails) as x(k, e)
            on conflict (tenant_id, email_normalized) do update set contact_id = excluded.contact_id
            """, new { contactId, keys = emails.Select(e => Contact.Normalize(e)!).ToArray(), emails = emails.ToArray() }, ct));

    public Task RemoveSecondaryEmailAsync(Guid contactId, string email, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from leads.contact_emails where tenant_id = leads.current_tenant() and contact_id = @contactId and email_normalized = @key",
            new { contactId, key = Contact.Normalize(email) }, ct));

    /// <summary>The duplicate becomes a tombstone pointing to the survivor, keeping the duplicate as it was (as JSON).</summary>
    public Task InsertTombstoneAsync(Contact duplicate, Guid survivorId, IReadOnlyDictionary<string, string> fields, string? mergedBy, DateTime at,
        CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.contact_merges (tenant_id, duplicate_id, survivor_id, duplicate_email, duplicate, fields, merged_by, merged_at)
            values (leads.current_tenant(), @id, @survivorId, @email, @duplicate::jsonb, @fields::jsonb, @mergedBy, @at)
            """, new
        {
            id = duplicate.Id, survivorId, email = duplicate.Email, duplicate = JsonSerializer.Serialize(duplicate.ToSnapshot()),
            fields = JsonSerializer.Serialize(fields), mergedBy, at,
        }, ct));

    /// <summary>A tombstone: whom the duplicate was merged into, when and by whom.</summary>
    public sealed record Tombstone(Guid DuplicateId, Guid SurvivorId, string? DuplicateEmail, string? MergedBy, DateTime MergedAt);

    public Task<Tombstone?> GetTombstoneAsync(Guid duplicateId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Tombstone?>(unitOfWork.Command("""
            select duplicate_id, survivor_id, duplicate_email, merged_by, merged_at from leads.contact_merges
            where tenant_id = leads.current_tenant() and duplicate_id = @duplicateId
            """, new { duplicateId }, ct));

    /// <summary>
    /// The contact's engagement from all its activities (as the activity feed keeps it: time-decayed from the latest one), after a
    /// merge brought another contact's; the trigger rescores it.
    /// </summary>
    public Task RecomputeEngagementAsync(Guid contactId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.contacts c set engagement = coalesce(a.engagement, 0), engagement_at = a.last_at, activity_count = a.n
            from (select max(x.occurred_at) as last_at, count(*) as n, sum(leads.decay(l.last_at - x.occurred_at)) as engagement
                  from leads.activities x
                  cross join (select max(occurred_at) as last_at from leads.activities
                              where tenant_id = leads.current_tenant() and contact_id = @contactId) l
                  where x.tenant_id = leads.current_tenant() and x.contact_id = @contactId) a
            where c.tenant_id = leads.current_tenant() and c.id = @contactId
            """, new { contactId }, ct));

    /// <summary>A group of contacts that look like one person, and why.</summary>
    public sealed record Candidate(string Reason, string Key, Guid ContactId);

    /// <summary>
    /// Contacts sharing a normalised email (<c>leads.email_match_key</c>: case, +tags, Gmail dots), a phone (its last ten
    /// digits) or a first name, last name and company, in groups of two or more; with <paramref name="contactId"/> only the
    /// groups it is in. Newest groups first (by their newest member), at most <paramref name="limit"/> groups.
    /// </summary>
    public async Task<IReadOnlyList<Candidate>> FindDuplicatesAsync(Guid? contactId, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Candidate>(unitOfWork.Command("""
            with keys as (
              select c.id, c.created, 'email' as reason, leads.email_match_key(c.email) as key from leads.contacts c
              where c.tenant_id = leads.current_tenant() and c.email is not null
              union all
              select c.id, c.created, 'phone', leads.phone_match_key(c.phone) from leads.contacts c
              where c.tenant_id = leads.current_tenant() and c.phone is not null
              union all
              select c.id, c.created, 'name_company', lower(trim(c.first_name)) || ' ' || lower(trim(c.last_name)) || ' @ ' || lower(trim(c.company))
              from leads.contacts c
              where c.tenant_id = leads.current_tenant() and nullif(trim(c.first_name), '') is not null
                and nullif(trim(c.last_name), '') is not null and nullif(trim(c.company), '') is not null),
            groups as (
              select reason, key, array_agg(id order by created, id) as ids, max(created) as newest
              from keys where key is not null
              group by reason, key having count(*) > 1
                 and (@contactId::uuid is null or bool_or(id = @contactId::uuid))
              order by newest desc, reason, key
              limit @limit)
            select g.reason, g.key, unnest(g.ids) as contact_id from groups g order by g.newest desc, g.reason, g.key
            """, new { contactId, limit }, ct))).ToList();
}
