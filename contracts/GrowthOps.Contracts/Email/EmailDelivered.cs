namespace GrowthOps.Contracts.Email;

/// <summary>The receiving server accepted the email (Postmark's Delivery webhook).</summary>
public record EmailDelivered(Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, DateTimeOffset OccurredAt);
