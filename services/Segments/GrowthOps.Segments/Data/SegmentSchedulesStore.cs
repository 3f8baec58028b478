using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Segments.Data;

/// <summary>
/// The schedule columns of segments: claims of due refreshes and sweeps across tenants (in a transaction of no tenant, through
/// the claim functions of migration 0005), and what a full pass or a scheduled run records in the tenant's transaction.
/// </summary>
public sealed class SegmentSchedulesStore(UnitOfWork unitOfWork)
{
    /// <summary>The most overdue auto-refresh, now moved to <paramref name="retryAt"/>; null when none is due.</summary>
    public Task<(Guid TenantId, Guid SegmentId)?> ClaimRefreshAsync(DateTimeOffset now, DateTimeOffset retryAt, CancellationToken ct) =>
        ClaimAsync("segments.claim_refresh", now, retryAt, ct);

    /// <summary>The most overdue sweep of a time-dependent segment, now moved to <paramref name="next"/>; null when none is due.</summary>
    public Task<(Guid TenantId, Guid SegmentId)?> ClaimSweepAsync(DateTimeOffset now, DateTimeOffset next, CancellationToken ct) =>
        ClaimAsync("segments.claim_sweep", now, next, ct);

    async Task<(Guid TenantId, Guid SegmentId)?> ClaimAsync(string function, DateTimeOffset now, DateTimeOffset then, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, Guid)>(unitOfWork.Command(
            $"select claimed_tenant_id, claimed_segment_id from {function}(@now, @then)", new { now, then }, ct))).Select(r => ((Guid, Guid)?)r).SingleOrDefault();

    public Task SetTimeDependentAsync(Guid segmentId, bool timeDependent, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "update segments.segments set time_dependent = @timeDependent where id = @segmentId and time_dependent <> @timeDependent",
            new { segmentId, timeDependent }, ct));

    /// <summary>After a scheduled refresh: the next one at <paramref name="next"/>, if the segment still refreshes itself.</summary>
    public Task RefreshedAsync(Guid segmentId, DateTimeOffset next, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update segments.segments set next_refresh_at = case when status = 'active' and kind = 'dynamic' and auto_refresh then @next end
             where id = @segmentId
            """, new { segmentId, next }, ct));
}
