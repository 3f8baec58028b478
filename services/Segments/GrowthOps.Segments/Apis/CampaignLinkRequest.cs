using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments.Apis;

/// <summary>A campaign to link a segment to: <c>campaign_type</c> email, cortex or sequence; <c>role</c> include (default) or exclude.</summary>
public sealed record CampaignLinkRequest(
    Guid? CampaignId = null,
    [property: MaxLength(20)] string? CampaignType = null,
    [property: MaxLength(20)] string? Role = null);
