using GrowthOps.Email.Domain.Campaigns;

namespace GrowthOps.Email.Apis;

/// <summary>The wizard's review step: the campaign, its audience counted, what keeps it from being sent, and a preview.</summary>
public sealed record CampaignReview(Campaign Campaign, AudienceCounts Counts, IReadOnlyList<CampaignProblem> Problems, bool Ready, CampaignPreview? Preview);

