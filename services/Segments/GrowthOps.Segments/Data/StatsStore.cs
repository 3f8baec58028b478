using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Stats;

namespace GrowthOps.Segments.Data;

/// <summary>The D21 metrics of the current tenant (RLS), from segments, membership, the daily counters and stored overlaps.</summary>
public sealed class StatsStore(UnitOfWork unitOfWork)
{
    /// <summary>Counts over all the tenant's segments; refresh times over those refreshed at least once.</summary>
    public sealed record Totals(int TotalSegments, int ActiveSegments, int ArchivedSegments, long TotalMemberships, int? LastRefreshMs,
        double? AverageRefreshMs, int OverlapPairs, double? AverageJaccard, double? AverageOverlapPercent);

    sealed record GrowthRow(Guid SegmentId, string Name, string Type, string Status, int MemberCount, int Entered, int Exited);

    sealed record DayRow(DateTime Day, int Entered, int Exited);

    public Task<Totals> TotalsAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<Totals>(unitOfWork.Command("""
            select s.total_segments, s.active_segments, s.archived_segments, m.total_memberships, l.last_refresh_ms, s.average_refresh_ms,
                   o.overlap_pairs, o.average_jaccard, o.average_overlap_percent
              from (select count(*)::int as total_segments, count(*) filter (where status = 'active')::int as active_segments,
                           count(*) filter (where status = 'archived')::int as archived_segments, avg(last_refresh_ms)::float8 as average_refresh_ms
                      from segments.segments) s
             cross join (select count(*) as total_memberships from segments.segment_membership) m
             cross join (select count(*)::int as overlap_pairs, avg(jaccard) as average_jaccard,
                                avg((percent_of_a + percent_of_b) / 2) as average_overlap_percent from segments.segment_overlaps) o
              left join lateral (select r.last_refresh_ms from segments.segments r where r.last_refreshed_at is not null
                                  order by r.last_refreshed_at desc, r.id desc limit 1) l on true
            """, null, ct));

    public async Task<IReadOnlyDictionary<string, int>> ByTypeAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(string Type, int Count)>(unitOfWork.Command(
            "select type, count(*)::int from segments.segments group by type", null, ct))).ToDictionary(r => r.Type, r => r.Count);

    /// <summary>Per segment (all of them, or <paramref name="segmentId"/>), newest first: entries and exits of the last <paramref name="days"/> UTC days.</summary>
    public async Task<IReadOnlyList<SegmentGrowth>> GrowthAsync(Guid? segmentId, int days, DateTimeOffset now, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<GrowthRow>(unitOfWork.Command("""
            select s.id as segment_id, s.name, s.type, s.status, s.member_count, coalesce(w.entered, 0)::int as entered, coalesce(w.exited, 0)::int as exited
              from segments.segments s
              left join (select d.segment_id, sum(d.entered) as entered, sum(d.exited) as exited from segments.segment_membership_daily d
                          where d.day > (@now at time zone 'UTC')::date - @days group by d.segment_id) w on w.segment_id = s.id
             where @segmentId::uuid is null or s.id = @segmentId
             order by s.created_at desc, s.id desc
            """, new { segmentId, days, now }, ct)))
        .Select(r => SegmentGrowth.Of(r.SegmentId, r.Name, r.Type, r.Status, r.MemberCount, r.Entered, r.Exited)).ToList();

    /// <summary>
    /// Each of the last <paramref name="days"/> UTC days of the segment, oldest first, days without changes included; members at
    /// each day's end worked back from <paramref name="memberCount"/> (today's).
    /// </summary>
    public async Task<IReadOnlyList<DailyMembership>> DailyAsync(Guid segmentId, int memberCount, int days, DateTimeOffset now, CancellationToken ct)
    {
        var rows = (await unitOfWork.Connection.QueryAsync<DayRow>(unitOfWork.Command("""
            select g.day, coalesce(d.entered, 0) as entered, coalesce(d.exited, 0) as exited
              from generate_series(((@now at time zone 'UTC')::date - (@days - 1))::timestamp, (@now at time zone 'UTC')::date::timestamp, interval '1 day') as g(day)
              left join segments.segment_membership_daily d on d.segment_id = @segmentId and d.day = g.day::date
             order by g.day
            """, new { segmentId, days, now }, ct))).ToList();
        var series = new DailyMembership[rows.Count];
        var members = memberCount;
        for (var i = rows.Count - 1; i >= 0; i--)
        {
            series[i] = new DailyMembership(DateOnly.FromDateTime(rows[i].Day), rows[i].Entered, rows[i].Exited, Math.Max(0, members));
            members = members - rows[i].Entered + rows[i].Exited;
        }

        return series;
    }
}
