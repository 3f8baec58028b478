using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Segments.Data;

/// <summary>Segment snapshots and their members, inside the tenant's unit of work (row-level security scopes every query).</summary>
public sealed class SnapshotsStore(UnitOfWork unitOfWork)
{
    const string Columns = "s.id, s.segment_id, s.type, s.member_count, s.taken_at";

    /// <summary>
    /// Copies the segment's members as they are now into a new snapshot, in one statement (so its count and its members are
    /// the same moment's, whatever commits meanwhile).
    /// </summary>
    public async Task<SegmentSnapshot> TakeAsync(Guid id, Guid segmentId, string type, DateTimeOffset takenAt, CancellationToken ct)
    {
        var count = await unitOfWork.Connection.ExecuteScalarAsync<int>(unitOfWork.Command("""
            with m as (select contact_id, source, entered_at from segments.segment_membership where segment_id = @segmentId),
            snapshot as (
              insert into segments.segment_snapshots (tenant_id, id, segment_id, type, member_count, taken_at)
              select segments.current_tenant(), @id, @segmentId, @type, (select count(*) from m)::integer, @takenAt
              returning member_count),
            copied as (
              insert into segments.segment_snapshot_members (tenant_id, snapshot_id, contact_id, source, entered_at)
              select segments.current_tenant(), @id, m.contact_id, m.source, m.entered_at from m)
            select member_count from snapshot
            """, new { id, segmentId, type, takenAt }, ct));
        return new SegmentSnapshot(id, segmentId, type, count, takenAt.UtcDateTime);
    }

    /// <summary>Deletes the segment's snapshots beyond <paramref name="kept"/>, other than <paramref name="keep"/>: oldest scheduled first, then oldest manual.</summary>
    public Task<int> PruneAsync(Guid segmentId, int kept, Guid keep, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            delete from segments.segment_snapshots where id in (
              select s.id from segments.segment_snapshots s where s.segment_id = @segmentId and s.id <> @keep
               order by (s.type = 'scheduled') desc, s.taken_at, s.id
               limit greatest(0, (select count(*) from segments.segment_snapshots a where a.segment_id = @segmentId) - @kept))
            """, new { segmentId, kept, keep }, ct));

    public async Task<Page<SegmentSnapshot>> ListAsync(Guid segmentId, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from segments.segment_snapshots s where s.segment_id = @segmentId");
        var args = new DynamicParameters(new { segmentId });
        Keyset.Append(sql, args, page, "s.taken_at", "s.id");
        var rows = (await unitOfWork.Connection.QueryAsync<SegmentSnapshot>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, s => (s.TakenAt, s.Id));
    }

    public Task<SegmentSnapshot?> GetAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<SegmentSnapshot>(unitOfWork.Command(
            $"select {Columns} from segments.segment_snapshots s where s.id = @id", new { id }, ct));

    public Task<Page<SnapshotMember>> MembersAsync(Guid snapshotId, PageRequest page, CancellationToken ct) =>
        PageAsync("", new DynamicParameters(new { snapshotId }), page, ct);

    /// <summary>The members of snapshot <paramref name="snapshotId"/> that snapshot <paramref name="notIn"/> does not have.</summary>
    public Task<Page<SnapshotMember>> DifferenceAsync(Guid snapshotId, Guid notIn, PageRequest page, CancellationToken ct) =>
        PageAsync(NotIn, new DynamicParameters(new { snapshotId, notIn }), page, ct);

    public Task<int> CountDifferenceAsync(Guid snapshotId, Guid notIn, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<int>(unitOfWork.Command(
            $"select count(*)::integer from segments.segment_snapshot_members m where m.snapshot_id = @snapshotId {NotIn}", new { snapshotId, notIn }, ct));

    const string NotIn = """
        and not exists (select 1 from segments.segment_snapshot_members o where o.snapshot_id = @notIn and o.contact_id = m.contact_id)
        """;

    async Task<Page<SnapshotMember>> PageAsync(string condition, DynamicParameters args, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select m.contact_id, m.source, m.entered_at from segments.segment_snapshot_members m where m.snapshot_id = @snapshotId {condition}");
        Keyset.Append(sql, args, page, "m.entered_at", "m.contact_id");
        var rows = (await unitOfWork.Connection.QueryAsync<SnapshotMember>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, m => (m.EnteredAt, m.ContactId));
    }
}
