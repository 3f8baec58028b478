using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Overlaps;

namespace GrowthOps.Segments.Data;

/// <summary>Overlaps of the current tenant's segments (RLS), computed over <c>segment_membership</c> and kept per pair.</summary>
public sealed class OverlapsStore(UnitOfWork unitOfWork)
{
    const string Columns = """
        segment_a_id, segment_b_id, intersection_count, a_count, b_count, union_count, jaccard, percent_of_a, percent_of_b, computed_at
        """;

    /// <summary>Those of <paramref name="segmentIds"/> that are segments of the tenant.</summary>
    public async Task<IReadOnlyList<Guid>> ExistingSegmentsAsync(IReadOnlyList<Guid> segmentIds, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command(
            "select id from segments.segments where id = any(@ids)", new { ids = segmentIds.ToArray() }, ct))).ToList();

    /// <summary>
    /// Computes every pair of <paramref name="segmentIds"/> and stores it, in one statement whatever their number: each member
    /// row of the segments is read once, a self-join on the contact counts the intersections, and the pairs are upserted.
    /// </summary>
    public async Task<IReadOnlyList<SegmentOverlap>> ComputeAsync(IReadOnlyList<Guid> segmentIds, DateTimeOffset now, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<SegmentOverlap>(unitOfWork.Command($"""
            with ids as (select distinct id from unnest(@ids) as id),
            m as (select m.segment_id, m.contact_id from segments.segment_membership m
                   where m.tenant_id = segments.current_tenant() and m.segment_id in (select id from ids)),
            sizes as (select i.id, count(m.contact_id)::int as n from ids i left join m on m.segment_id = i.id group by i.id),
            inter as (select x.segment_id as a, y.segment_id as b, count(*)::int as n
                        from m x join m y on y.contact_id = x.contact_id and x.segment_id < y.segment_id group by 1, 2)
            insert into segments.segment_overlaps (tenant_id, {Columns})
            select segments.current_tenant(), sa.id, sb.id, v.i, sa.n, sb.n, v.u,
                   case when v.u = 0 then 0 else v.i::float8 / v.u end,
                   case when sa.n = 0 then 0 else 100.0 * v.i / sa.n end,
                   case when sb.n = 0 then 0 else 100.0 * v.i / sb.n end,
                   @now
              from sizes sa join sizes sb on sa.id < sb.id
              left join inter x on x.a = sa.id and x.b = sb.id
             cross join lateral (select coalesce(x.n, 0) as i, sa.n + sb.n - coalesce(x.n, 0) as u) v
            on conflict (tenant_id, segment_a_id, segment_b_id) do update
               set intersection_count = excluded.intersection_count, a_count = excluded.a_count, b_count = excluded.b_count,
                   union_count = excluded.union_count, jaccard = excluded.jaccard, percent_of_a = excluded.percent_of_a,
                   percent_of_b = excluded.percent_of_b, computed_at = excluded.computed_at
            returning {Columns}
            """, new { ids = segmentIds.ToArray(), now }, ct))).ToList();

    /// <summary>The stored overlaps, newest first; those of <paramref name="segmentId"/> only when given.</summary>
    public async Task<IReadOnlyList<SegmentOverlap>> ListAsync(Guid? segmentId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<SegmentOverlap>(unitOfWork.Command($"""
            select {Columns} from segments.segment_overlaps
             where @segmentId::uuid is null or segment_a_id = @segmentId or segment_b_id = @segmentId
             order by computed_at desc, segment_a_id, segment_b_id
            """, new { segmentId }, ct))).ToList();
}
