using System.Text.Json;

namespace GrowthOps.Contracts.Cortex;

/// <summary>Start a workflow for a contact (sent by Leads automations and others; Cortex owns workflows).</summary>
public record StartWorkflow(
    Guid TenantId,
    Guid WorkflowId,
    Guid ContactId,
    string TriggeredBy,
    IReadOnlyDictionary<string, JsonElement>? Variables,
    DateTimeOffset OccurredAt);
