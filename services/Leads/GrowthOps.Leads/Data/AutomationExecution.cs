namespace GrowthOps.Leads.Data;

/// <summary>One run of an automation for one state change; <see cref="ResultsJson"/> holds a result per action.</summary>
public sealed record AutomationExecution(
    Guid Id, Guid AutomationId, string AutomationName, Guid ContactId, Guid HistoryId, string Status, string ResultsJson, string? Error,
    DateTime ExecutedAt);
