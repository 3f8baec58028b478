namespace GrowthOps.Email.Apis;

/// <summary>The campaign's email as one recipient would get it (the pinned or current template version, with their merge fields).</summary>
public sealed record CampaignPreview(Guid ContactId, string Email, int TemplateVersion, string Subject, string Html, string? Text);
