namespace GrowthOps.Segments.Domain.Segments;

/// <summary>A member of a segment, with what the read model knows of the contact.</summary>
public sealed record SegmentMember(Guid ContactId, string? Email, string? FirstName, string? LastName, string Source, DateTime EnteredAt, string? Reason);
