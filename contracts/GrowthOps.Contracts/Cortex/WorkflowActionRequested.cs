using System.Text.Json;

namespace GrowthOps.Contracts.Cortex;

/// <summary>
/// A workflow reached an action that a module outside GrowthOps carries out (popups, funnels, subscriptions…):
/// <see cref="Action"/> with its rendered <see cref="Config"/>, for whatever front end or integration handles it.
/// <see cref="StepId"/> is unique per run step: a handler that sees it twice does the action once.
/// </summary>
public record WorkflowActionRequested(
    Guid TenantId, Guid WorkflowId, Guid RunId, Guid StepId, string NodeId, string Action, Guid? ContactId, JsonElement Config, DateTimeOffset OccurredAt);
