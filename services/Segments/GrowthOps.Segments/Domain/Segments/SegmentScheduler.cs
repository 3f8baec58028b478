using System.Diagnostics;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// Changes membership with no event, on every replica, each piece of work done once: every
/// <see cref="SegmentsOptions.TimeSweepInterval"/> it recomputes each active dynamic segment whose criteria depend on time
/// (reason <see cref="TimeElapsed"/>), and it refreshes each auto-refreshing segment every <c>refresh_interval_hours</c>
/// (reason <see cref="ScheduledRefresh"/>) with a <c>scheduled</c> snapshot. The schedule lives in the segments' rows
/// (<c>next_sweep_at</c>, <c>next_refresh_at</c>), so it survives restarts and sees created, edited and archived segments;
/// a claim moves the row's time forward under <c>FOR UPDATE SKIP LOCKED</c>, so replicas take different segments. Each
/// segment's work is its own transaction of its tenant, with its messages in the outbox.
/// </summary>
public sealed class SegmentScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<SegmentsOptions> options,
    ILogger<SegmentScheduler> logger) : DueWorkService(logger)
{
    public const string TimeElapsed = "time_elapsed";
    public const string ScheduledRefresh = "scheduled_refresh";

    /// <summary>A claimed refresh that did not finish (it failed, or its process died) is claimed again this much later.</summary>
    public static readonly TimeSpan RefreshRetryAfter = TimeSpan.FromMinutes(10);

    protected override TimeSpan Interval => options.Value.TimeSweepInterval;

    protected override string Work => "Claiming due segment sweeps and refreshes";

    /// <summary>Runs the sweeps and refreshes due now, alternating so a backlog of one does not starve the other; returns how many ran.</summary>
    public override async Task<int> RunDueAsync(CancellationToken ct)
    {
        var ran = 0;
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var sweep = await ClaimAsync(store => store.ClaimSweepAsync(now, now + options.Value.TimeSweepInterval, ct), ct);
            if (sweep is { } s)
                ran += await PacedAsync(() => RunAsync(s.TenantId, s.SegmentId, isSweep: true, ct), ct);
            var refresh = await ClaimAsync(store => store.ClaimRefreshAsync(now, now + RefreshRetryAfter, ct), ct);
            if (refresh is { } r)
                ran += await PacedAsync(() => RunAsync(r.TenantId, r.SegmentId, isSweep: false, ct), ct);
            if (sweep is null && refresh is null)
                break;
        }

        return ran;
    }

    /// <summary>
    /// Runs a pass, then rests so that passes take at most <see cref="SegmentsOptions.SchedulerMaxShare"/> of the time (real
    /// time: this bounds load, the clock decides what is due). A set-based pass of a large segment keeps a PostgreSQL core
    /// busy for seconds; back to back over many segments they left the consumers' per-event transactions waiting behind them.
    /// </summary>
    async Task<int> PacedAsync(Func<Task<int>> pass, CancellationToken ct)
    {
        var started = Stopwatch.GetTimestamp();
        var ran = await pass();
        var share = options.Value.SchedulerMaxShare;
        var rest = Stopwatch.GetElapsedTime(started) * (1 / share - 1);
        if (rest > TimeSpan.Zero)
            await Task.Delay(rest, ct).ContinueWith(_ => { }, TaskScheduler.Default);
        return ran;
    }

    Task<(Guid TenantId, Guid SegmentId)?> ClaimAsync(Func<SegmentSchedulesStore, Task<(Guid, Guid)?>> claim, CancellationToken ct) =>
        scopes.InTransactionAsync(null, async services => (await claim(services.GetRequiredService<SegmentSchedulesStore>())) is { } c
            ? ((Guid TenantId, Guid SegmentId)?)(c.Item1, c.Item2) : null, ct);

    /// <summary>One sweep or refresh in the tenant's transaction; a failure is logged and the claim's time brings it back.</summary>
    async Task<int> RunAsync(Guid tenantId, Guid segmentId, bool isSweep, CancellationToken ct)
    {
        try
        {
            return await scopes.InTransactionAsync(tenantId, async services =>
            {
                var segment = await services.GetRequiredService<SegmentsStore>().GetAsync(segmentId, ct);
                var membership = services.GetRequiredService<SegmentMembership>();
                // Archived, made static or deleted since it was claimed: nothing to do (the row's schedule says so already).
                if (segment is { IsDynamic: true, Status: SegmentKinds.Active })
                {
                    // A sweep's claim has scheduled the next one already: an interval after it began, not after it ended, so
                    // the clock moving during a pass cannot push the next one past a boundary the pass did not see.
                    if (isSweep)
                        await membership.RecomputeAsync(segment, TimeElapsed, ct);
                    else if (segment.AutoRefresh)
                    {
                        await membership.RecomputeAsync(segment, ScheduledRefresh, ct);
                        await services.GetRequiredService<SegmentSnapshots>().TakeAsync(segment, SnapshotTypes.Scheduled, ct);
                        await services.GetRequiredService<SegmentSchedulesStore>().RefreshedAsync(segmentId,
                            clock.GetUtcNow().AddHours(segment.RefreshIntervalHours), ct);
                    }
                }
                return 1;
            }, ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            logger.LogWarning(e, "The {Work} of segment {SegmentId} of tenant {TenantId} failed; it runs again when claimed next",
                isSweep ? "time sweep" : "scheduled refresh", segmentId, tenantId);
            return 0;
        }
    }
}
