namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>Something that keeps a campaign from being sent, as the review lists it: a stable <see cref="Code"/> and words to show.</summary>
public sealed record CampaignProblem(string Code, string Message);
