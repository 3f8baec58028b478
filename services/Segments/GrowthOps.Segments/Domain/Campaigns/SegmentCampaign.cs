namespace GrowthOps.Segments.Domain.Campaigns;

/// <summary>A segment linked to a campaign of Email, Cortex or a sequence, as its audience (include) or an exclusion.</summary>
public sealed record SegmentCampaign(Guid SegmentId, Guid CampaignId, string CampaignType, string Role, DateTime LinkedAt, string? LinkedBy);
