namespace GrowthOps.Segments.Domain.Campaigns;

/// <summary>A segment of a campaign's audience, with what the link says of it.</summary>
public sealed record CampaignSegment(Guid SegmentId, string Name, string Type, string Kind, string Status, int MemberCount, string CampaignType,
    string Role, DateTime LinkedAt, string? LinkedBy);
