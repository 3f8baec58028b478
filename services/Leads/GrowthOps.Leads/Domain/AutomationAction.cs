using System.Text.Json;

namespace GrowthOps.Leads.Domain;

/// <summary>
/// One step of a state automation, stored as JSON (snake_case, nulls left out). Which members apply depends on
/// <see cref="Type"/>; a webhook's signing secret is kept only encrypted (<see cref="ProtectedSecret"/>) and never returned.
/// </summary>
public sealed record AutomationAction(
    string Type,
    string? Tag = null,
    string? ToState = null,
    Guid? ToStateId = null,
    string? Notes = null,
    Guid? WorkflowId = null,
    IReadOnlyDictionary<string, JsonElement>? Variables = null,
    Guid? SequenceId = null,
    string? Url = null,
    string? Method = null,
    string? ProtectedSecret = null);
