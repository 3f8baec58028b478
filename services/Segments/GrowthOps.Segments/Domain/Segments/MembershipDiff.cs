namespace GrowthOps.Segments.Domain.Segments;

/// <summary>Who one set-based pass over a segment added and removed.</summary>
public sealed record MembershipDiff(IReadOnlyList<Guid> Entered, IReadOnlyList<Guid> Exited);
