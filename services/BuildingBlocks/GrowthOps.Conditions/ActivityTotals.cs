namespace GrowthOps.Conditions;

/// <summary>How often and when a contact did one type of activity, over its whole history.</summary>
public sealed record ActivityTotals(long Count, DateTimeOffset FirstAt, DateTimeOffset LastAt);
