namespace GrowthOps.Leads.Data;

public sealed record LeadTransition(Guid Id, Guid? FromStateId, string? FromState, Guid ToStateId, string ToState, string? Name,
    bool RequiresNotes, DateTime Created);
