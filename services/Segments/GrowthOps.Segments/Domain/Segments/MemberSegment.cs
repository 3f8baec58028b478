namespace GrowthOps.Segments.Domain.Segments;

/// <summary>A segment a contact is in (<c>member_segments</c>).</summary>
public sealed record MemberSegment(Guid SegmentId, string Name, string Type, string Kind, string Source, DateTime EnteredAt);
