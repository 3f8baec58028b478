namespace GrowthOps.Email.Data;

/// <summary>A sent email as tracking and webhooks see it: whose it is (contact, campaign) and when it went out.</summary>
public sealed record TrackedMessage(Guid Id, Guid? ContactId, Guid? CampaignId, string ToEmail, DateTime? SentAt);
