namespace GrowthOps.Segments.Domain.Stats;

/// <summary>One UTC day of a segment: who entered, who left, and how many members it had at the day's end.</summary>
public sealed record DailyMembership(DateOnly Day, int Entered, int Exited, int Members);
