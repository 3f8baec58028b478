namespace GrowthOps.Contracts.Email;

/// <summary>The recipient marked the email as spam (Postmark's SpamComplaint webhook); the address is suppressed from now on.</summary>
public record EmailComplained(Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, DateTimeOffset OccurredAt);
