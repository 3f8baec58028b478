namespace GrowthOps.Segments.Domain.Segments;

/// <summary>An active dynamic segment with its criteria parsed once.</summary>
public sealed record CompiledSegment(Guid Id, string Name, GrowthOps.Conditions.Criteria Criteria);
