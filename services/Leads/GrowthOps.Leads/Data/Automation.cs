using GrowthOps.Leads.Domain;

namespace GrowthOps.Leads.Data;

/// <summary>A state automation with the current names of the states it refers to (null when a state was deleted since).</summary>
public sealed record Automation(
    Guid Id, string Name, string Trigger, Guid? StateId, string? State, Guid? FromStateId, string? FromState, Guid? ToStateId, string? ToState,
    IReadOnlyList<AutomationCondition> Conditions, IReadOnlyList<AutomationAction> Actions, bool IsActive, long ExecutionCount,
    DateTime? LastExecutedAt, DateTime Created, DateTime Updated);
