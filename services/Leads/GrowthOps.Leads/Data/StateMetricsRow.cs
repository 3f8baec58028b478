namespace GrowthOps.Leads.Data;

/// <summary>Per state: contacts in it now, and from the history the moves in and out and the time spent (seconds) per stay.</summary>
public sealed record StateMetricsRow(Guid StateId, string State, int Position, bool IsTerminal, long Contacts, long TransitionsIn, long TransitionsOut,
    double? AvgSecondsInState, double? MedianSecondsInState);
