using System.Text.Json.Nodes;
using GrowthOps.Cortex.Data;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Domain.Runs;

/// <summary>One page of a scheduled occurrence's runs for a segment's members: those after <see cref="AfterContactId"/>.</summary>
public record FireSchedule(Guid TenantId, Guid WorkflowId, int Version, string TriggerType, DateTimeOffset Occurrence, Guid SegmentId, Guid? AfterContactId);

/// <summary>
/// Fires <c>schedule.cron</c> and <c>schedule.interval</c> workflows on every replica, each occurrence once: a claim across
/// tenants takes one due schedule under <c>FOR UPDATE SKIP LOCKED</c> and leases it; then, in the tenant's transaction, the
/// occurrence starts its run (no segment) or its first page of members' runs (<see cref="FireSchedule"/>), and the next
/// occurrence is set. A claim whose process died is taken again when its lease ends; the runs' ids come from the workflow,
/// the occurrence and the contact, so firing it twice starts nothing twice. Occurrences missed while no replica ran fire
/// once, late, and the schedule goes on from now.
/// </summary>
public sealed class WorkflowScheduler(IServiceScopeFactory scopes, TimeProvider clock, IOptions<CortexOptions> options, ILogger<WorkflowScheduler> logger)
    : DueWorkService(logger)
{
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(30);

    protected override TimeSpan Interval => options.Value.SchedulePollInterval;

    protected override string Work => "Firing due workflow schedules";

    public override async Task<int> RunDueAsync(CancellationToken ct)
    {
        var fired = 0;
        while (!ct.IsCancellationRequested)
        {
            var now = clock.GetUtcNow();
            var claim = await scopes.InTransactionAsync(null, s => s.GetRequiredService<SchedulesStore>().ClaimAsync(now, now + Lease, ct), ct);
            if (claim is not { } c)
                break;
            try
            {
                await scopes.InTransactionAsync(c.TenantId, s => FireAsync(s, c.TenantId, c.WorkflowId, c.Occurrence, ct), ct);
                fired++;
            }
            catch (Exception e) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(e, "Schedule of workflow {WorkflowId} (tenant {TenantId}) failed at {Occurrence:O}; its lease brings it back",
                    c.WorkflowId, c.TenantId, c.Occurrence);
            }
        }

        return fired;
    }

    async Task<bool> FireAsync(IServiceProvider services, Guid tenantId, Guid workflowId, DateTime occurrence, CancellationToken ct)
    {
        var schedules = services.GetRequiredService<SchedulesStore>();
        var schedule = await schedules.GetAsync(workflowId, ct);
        if (schedule is null || schedule.FiringAt != occurrence)
            return false;
        var workflow = await services.GetRequiredService<WorkflowsStore>().GetAsync(workflowId, ct);
        var send = services.GetRequiredService<ISendEndpointProvider>();
        var at = new DateTimeOffset(occurrence, TimeSpan.Zero);
        var type = schedule.Kind == "cron" ? ScheduleSpec.CronTrigger : ScheduleSpec.IntervalTrigger;
        if (workflow is { Status: "active" } && workflow.CurrentVersion == schedule.Version)
        {
            if (schedule.SegmentId is { } segment)
                await services.GetRequiredService<IPublishEndpoint>().Publish(
                    new FireSchedule(tenantId, workflowId, schedule.Version, type, at, segment, null), ct);
            else
                await services.GetRequiredService<Watcher>().StartAsync(tenantId, workflowId, schedule.Version,
                    new TriggerEvent(ExecuteStep.Derive($"schedule/{workflowId}/{at:O}"), type, null, Payload(at, null), at), null, false, send,
                    clock.GetUtcNow(), ct);
        }

        var now = clock.GetUtcNow();
        var next = schedule.Spec.Next(at);
        if (next <= now)
            next = schedule.Spec.Next(now);
        await schedules.FiredAsync(workflowId, occurrence, next.UtcDateTime, ct);
        return true;
    }

    public static JsonObject Payload(DateTimeOffset occurrence, Guid? segmentId) => new()
    {
        ["scheduled_at"] = occurrence.UtcDateTime.ToString("O"), ["segment_id"] = segmentId?.ToString(),
    };
}
