using Dapper;
using GrowthOps.Cortex.Domain.Runs;
using GrowthOps.Persistence;

namespace GrowthOps.Cortex.Data;

public sealed record WorkflowSchedule(
    Guid WorkflowId, int Version, string Kind, string? Cron, string Timezone, double? IntervalSeconds, Guid? SegmentId, DateTime NextRunAt,
    DateTime? FiringAt, DateTime? LastRunAt)
{
    public ScheduleSpec Spec => new(Kind, Cron, Timezone, IntervalSeconds, SegmentId);
}

/// <summary>cortex.workflow_schedules (one per published scheduled workflow) and cortex.segment_members (whom a segment's schedule runs for).</summary>
public sealed class SchedulesStore(UnitOfWork unitOfWork)
{
    const string Columns = "workflow_id, version, kind, cron, timezone, interval_seconds, segment_id, next_run_at, firing_at, last_run_at";

    /// <summary>The workflow's schedule as its live version says (replacing the one before), or none.</summary>
    public async Task SetAsync(Guid workflowId, int? version, ScheduleSpec? spec, DateTimeOffset now, CancellationToken ct)
    {
        if (spec is null || version is null)
        {
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.workflow_schedules where workflow_id = @workflowId",
                new { workflowId }, ct));
            return;
        }

        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_schedules (tenant_id, workflow_id, version, kind, cron, timezone, interval_seconds, segment_id, next_run_at)
            values (cortex.current_tenant(), @workflowId, @version, @Kind, @Cron, @Timezone, @IntervalSeconds, @SegmentId, @next)
            on conflict (tenant_id, workflow_id) do update
               set version = excluded.version, kind = excluded.kind, cron = excluded.cron, timezone = excluded.timezone,
                   interval_seconds = excluded.interval_seconds, segment_id = excluded.segment_id, next_run_at = excluded.next_run_at,
                   firing_at = null, lease_until = null
            """, new { workflowId, version, spec.Kind, spec.Cron, spec.Timezone, spec.IntervalSeconds, spec.SegmentId, next = spec.Next(now).UtcDateTime }, ct));
    }

    public async Task<IReadOnlyList<WorkflowSchedule>> ListAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<WorkflowSchedule>(unitOfWork.Command(
            $"select {Columns} from cortex.workflow_schedules order by next_run_at, workflow_id limit 1000", null, ct))).ToList();

    public async Task<WorkflowSchedule?> GetAsync(Guid workflowId, CancellationToken ct) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<WorkflowSchedule>(unitOfWork.Command(
            $"select {Columns} from cortex.workflow_schedules where workflow_id = @workflowId for update", new { workflowId }, ct));

    /// <summary>Across tenants (a transaction without one): one due schedule and the occurrence to fire, leased until <paramref name="lease"/>.</summary>
    public async Task<(Guid TenantId, Guid WorkflowId, DateTime Occurrence)?> ClaimAsync(DateTimeOffset now, DateTimeOffset lease, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, Guid, DateTime)>(unitOfWork.Command(
            "select claimed_tenant_id, claimed_workflow_id, occurrence from cortex.claim_schedule(@now, @lease)", new { now, lease }, ct)))
        .Select(r => ((Guid, Guid, DateTime)?)r).SingleOrDefault();

    /// <summary>The occurrence <paramref name="occurrence"/> has fired: the next is <paramref name="next"/>.</summary>
    public Task FiredAsync(Guid workflowId, DateTime occurrence, DateTime next, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.workflow_schedules set next_run_at = @next, last_run_at = @occurrence, firing_at = null, lease_until = null
             where workflow_id = @workflowId and firing_at = @occurrence
            """, new { workflowId, occurrence, next }, ct));

    public Task RecordMembershipAsync(Guid segmentId, Guid contactId, bool member, DateTimeOffset at, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.segment_members (tenant_id, segment_id, contact_id, member, changed_at)
            values (cortex.current_tenant(), @segmentId, @contactId, @member, @at)
            on conflict (tenant_id, segment_id, contact_id) do update set member = excluded.member, changed_at = excluded.changed_at
             where cortex.segment_members.changed_at <= excluded.changed_at
            """, new { segmentId, contactId, member, at = at.UtcDateTime }, ct));

    /// <summary>The segment's members after <paramref name="after"/> in id order, at most <paramref name="limit"/>.</summary>
    public async Task<IReadOnlyList<Guid>> MembersAsync(Guid segmentId, Guid? after, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command("""
            select contact_id from cortex.segment_members
             where segment_id = @segmentId and member and (@after::uuid is null or contact_id > @after)
             order by contact_id limit @limit
            """, new { segmentId, after, limit }, ct))).ToList();
}
