namespace GrowthOps.Contracts.Leads;

/// <summary>A lead moved between states. <see cref="Source"/> is user, automation, webhook or system.</summary>
public record LeadStateChanged(
    Guid TenantId,
    Guid ContactId,
    Guid HistoryId,
    Guid? FromStateId,
    string? FromState,
    Guid ToStateId,
    string ToState,
    bool ToTerminal,
    Guid? TransitionId,
    string? Notes,
    string? TriggeredBy,
    string Source,
    double? SecondsInPreviousState,
    ContactSnapshot Contact,
    DateTimeOffset OccurredAt);
