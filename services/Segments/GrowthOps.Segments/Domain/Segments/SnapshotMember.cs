namespace GrowthOps.Segments.Domain.Segments;

/// <summary>A member of a snapshot, as it was then: how (<c>dynamic</c>/<c>static</c>) and when it had entered the segment.</summary>
public sealed record SnapshotMember(Guid ContactId, string Source, DateTime EnteredAt);
