using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>The activity feed (<c>leads.activities</c>).</summary>
public sealed class ActivitiesStore(UnitOfWork unitOfWork)
{
    /// <summary>One round trip for a whole batch.</summary>
    public Task InsertAsync(IReadOnlyList<Activity> activities, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.activities (tenant_id, id, contact_id, type, metadata, occurred_at)
            select leads.current_tenant(), a.id, a.contact_id, a.type, a.metadata::jsonb, a.occurred_at
            from unnest(@ids, @contactIds, @types, @metadata, @occurredAts) as a(id, contact_id, type, metadata, occurred_at)
            """, new
        {
            ids = activities.Select(a => a.Id).ToArray(),
            contactIds = activities.Select(a => a.ContactId).ToArray(),
            types = activities.Select(a => a.Type).ToArray(),
            metadata = activities.Select(a => a.MetadataJson).ToArray(),
            occurredAts = activities.Select(a => a.OccurredAt).ToArray(),
        }, ct));

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
