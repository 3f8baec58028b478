using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// A scheduled occurrence for a segment's members, a page at a time (<see cref="PageSize"/> runs per message, behind the
/// inbox), each page sending the next: a segment of any size starts without one long transaction. The runs are low priority.
/// </summary>
public sealed class FireScheduleConsumer(SchedulesStore schedules, WorkflowsStore workflows, Watcher watcher, TimeProvider clock) : IConsumer<FireSchedule>
{
    public const int PageSize = 500;

    public async Task Consume(ConsumeContext<FireSchedule> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        // Paused, archived or published again since the occurrence began: its remaining pages start nothing.
        if (await workflows.GetAsync(m.WorkflowId, ct) is not { Status: "active" } w || w.CurrentVersion != m.Version)
            return;
        var members = await schedules.MembersAsync(m.SegmentId, m.AfterContactId, PageSize, ct);
        var now = clock.GetUtcNow();
        foreach (var contact in members)
            await watcher.StartAsync(m.TenantId, m.WorkflowId, m.Version,
                new TriggerEvent(ExecuteStep.Derive($"schedule/{m.WorkflowId}/{m.Occurrence:O}/{contact}"), m.TriggerType, contact,
                    WorkflowScheduler.Payload(m.Occurrence, m.SegmentId), m.Occurrence), null, false, context, now, ct);
        if (members.Count == PageSize)
            await context.Publish(m with { AfterContactId = members[^1] }, ct);
    }
}
