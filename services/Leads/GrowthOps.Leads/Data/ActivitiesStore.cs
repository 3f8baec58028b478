using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>The activity feed (<c>leads.activities</c>).</summary>
public sealed class ActivitiesStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Inserts a whole batch and moves each of its contacts in the same statement (one round trip): <c>last_interaction_at</c>
    /// forward only (an old activity imported late does not make a contact look idle), its engagement (every activity adds
    /// 2^(-age / half-life) as of the latest one, see <c>leads.decay</c>) and activity count, and so its AI score, which the
    /// contacts' trigger recomputes. Returns each contact's columns as written.
    /// </summary>
    public async Task<IReadOnlyList<TouchedContact>> RecordAsync(IReadOnlyList<Activity> activities, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<TouchedContact>(unitOfWork.Command("""
            with inserted as (
              insert into leads.activities (tenant_id, id, contact_id, type, metadata, occurred_at)
              select leads.current_tenant(), a.id, a.contact_id, a.type, a.metadata::jsonb, a.occurred_at
              from unnest(@ids, @contactIds, @types, @metadata, @occurredAts) as a(id, contact_id, type, metadata, occurred_at)
              returning contact_id, occurred_at),
            latest as (select contact_id, occurred_at, max(occurred_at) over (partition by contact_id) as last_at from inserted),
            batch as (
              select contact_id, max(last_at) as last_at, count(*) as n, sum(leads.decay(last_at - occurred_at)) as engagement
              from latest group by contact_id)
            update leads.contacts c set
              last_interaction_at = greatest(c.last_interaction_at, b.last_at),
              engagement = coalesce(c.engagement * leads.decay(greatest(c.engagement_at, b.last_at) - c.engagement_at), 0)
                           + b.engagement * leads.decay(greatest(c.engagement_at, b.last_at) - b.last_at),
              engagement_at = greatest(c.engagement_at, b.last_at),
              activity_count = c.activity_count + b.n,
              updated = now()
            from batch b where c.id = b.contact_id
            returning c.id, c.version, c.ai_score, c.last_interaction_at, c.updated
            """, new
        {
            ids = activities.Select(a => a.Id).ToArray(),
            contactIds = activities.Select(a => a.ContactId).ToArray(),
            types = activities.Select(a => a.Type).ToArray(),
            metadata = activities.Select(a => a.MetadataJson).ToArray(),
            occurredAts = activities.Select(a => a.OccurredAt).ToArray(),
        }, ct))).ToList();

    public async Task<Page<Activity>> ListAsync(Guid? contactId, string[]? types, DateTime? from, DateTime? to, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder("select id, contact_id, type, metadata::text as metadata_json, occurred_at, created from leads.activities where true");
        var args = new DynamicParameters();
        if (contactId is { } id)
        {
            sql.Append(" and contact_id = @contactId");
            args.Add("contactId", id);
        }

        if (types is { Length: > 0 })
        {
            sql.Append(" and type = any(@types)");
            args.Add("types", types);
        }

        if (from is { } f)
        {
            sql.Append(" and occurred_at >= @from");
            args.Add("from", f);
        }

        if (to is { } t)
        {
            sql.Append(" and occurred_at < @to");
            args.Add("to", t);
        }

        Keyset.Append(sql, args, page, "occurred_at", "id");
        var rows = (await unitOfWork.Connection.QueryAsync<Activity>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, r => (r.OccurredAt, r.Id));
    }
}
