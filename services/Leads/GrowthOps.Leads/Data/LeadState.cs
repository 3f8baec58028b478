namespace GrowthOps.Leads.Data;

public sealed record LeadState(Guid Id, string Name, string Color, int Position, string? Description, bool IsTerminal, bool IsDefault,
    DateTime Created, DateTime Updated);
