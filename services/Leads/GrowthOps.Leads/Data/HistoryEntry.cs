namespace GrowthOps.Leads.Data;

public sealed record HistoryEntry(Guid Id, Guid ContactId, Guid? FromStateId, string? FromState, Guid ToStateId, string ToState,
    Guid? TransitionId, string? Notes, string? TriggeredBy, string Source, double? SecondsInPreviousState, DateTime OccurredAt);
