namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>The wizard's first step: the campaign's name and how its emails are addressed (subject: null → the template's).</summary>
public sealed record CampaignSettings(string Name, string? FromEmail, string? FromName, string? ReplyTo, string? Subject, string? Preheader);
