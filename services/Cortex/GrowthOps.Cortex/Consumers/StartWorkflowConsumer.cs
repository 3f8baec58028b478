using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// <c>StartWorkflow</c> (Leads' state automations send it): a run of the workflow's live version for the contact, with the
/// variables, as trigger <c>workflow.started</c>; once per message. A workflow that is not active starts nothing.
/// </summary>
public sealed class StartWorkflowConsumer(Watcher watcher, WorkflowsStore workflows, TimeProvider clock) : IConsumer<StartWorkflow>
{
    public async Task Consume(ConsumeContext<StartWorkflow> context)
    {
        var m = context.Message;
        var workflow = await workflows.GetAsync(m.WorkflowId, context.CancellationToken);
        if (workflow is not { Status: "active", CurrentVersion: { } version })
            return;
        var variables = m.Variables is null ? new JsonObject() : JsonSerializer.SerializeToNode(m.Variables)!.AsObject();
        await watcher.StartAsync(m.TenantId, m.WorkflowId, version,
            new TriggerEvent(context.MessageId!.Value, "workflow.started", m.ContactId, new JsonObject { ["triggered_by"] = m.TriggeredBy }, m.OccurredAt),
            variables, false, context, clock.GetUtcNow(), context.CancellationToken);
    }
}
