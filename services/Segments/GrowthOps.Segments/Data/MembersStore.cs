using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Segments.Data;

/// <summary>A segment's members with what the read model knows of them, filtered; paged for the API, streamed for an export.</summary>
public sealed class MembersStore(UnitOfWork unitOfWork)
{
    /// <summary>The filters of a members list; null ones do not filter. <see cref="Text"/> is matched ignoring case.</summary>
    public sealed record Filter(string? Source, DateTime? EnteredAfter, DateTime? EnteredBefore, string? Text, string? Tag, string? LeadState)
    {
        public static readonly Filter None = new(null, null, null, null, null, null);
    }

    public async Task<Page<SegmentMember>> ListAsync(Guid segmentId, Filter filter, PageRequest page, CancellationToken ct)
    {
        var (sql, args) = Query(segmentId, filter);
        Keyset.Append(sql, args, page, "m.entered_at", "m.contact_id");
        var rows = (await unitOfWork.Connection.QueryAsync<SegmentMember>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, m => (m.EnteredAt, m.ContactId));
    }

    /// <summary>Every member the filter keeps, newest first, read one row at a time as the caller consumes them (an export of a million members holds one).</summary>
    public async IAsyncEnumerable<SegmentMember> StreamAsync(Guid segmentId, Filter filter, [EnumeratorCancellation] CancellationToken ct)
    {
        var (sql, args) = Query(segmentId, filter);
        sql.Append(" order by m.entered_at desc, m.contact_id desc");
        await foreach (var member in unitOfWork.Connection.QueryUnbufferedAsync<SegmentMember>(sql.ToString(), args, unitOfWork.Transaction).WithCancellation(ct))
            yield return member;
    }

    static (StringBuilder Sql, DynamicParameters Args) Query(Guid segmentId, Filter filter)
    {
        var sql = new StringBuilder("""
            select m.contact_id, c.email, c.first_name, c.last_name, m.source, m.entered_at, m.reason
              from segments.segment_membership m join segments.contacts c on c.tenant_id = m.tenant_id and c.id = m.contact_id
             where m.segment_id = @segmentId and not c.deleted
            """);
        var args = new DynamicParameters(new { segmentId });
        void Where(string condition, string name, object? value)
        {
            if (value is null)
                return;
            sql.Append(" and ").Append(condition);
            args.Add(name, value);
        }

        Where("m.source = @source", "source", filter.Source);
        Where("m.entered_at >= @entered_after", "entered_after", filter.EnteredAfter);
        Where("m.entered_at < @entered_before", "entered_before", filter.EnteredBefore);
        // strpos, not like: the text is matched as given, % and _ included.
        Where("""
            (strpos(lower(coalesce(c.email, '')), lower(@text)) > 0 or strpos(lower(coalesce(c.first_name, '')), lower(@text)) > 0
             or strpos(lower(coalesce(c.last_name, '')), lower(@text)) > 0
             or strpos(lower(concat_ws(' ', c.first_name, c.last_name)), lower(@text)) > 0)
            """, "text", filter.Text);
        Where("c.tags @> array[@tag]", "tag", filter.Tag);
        Where("c.lead_state = @lead_state", "lead_state", filter.LeadState);
        return (sql, args);
    }
}
