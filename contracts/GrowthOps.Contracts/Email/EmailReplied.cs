namespace GrowthOps.Contracts.Email;

/// <summary>
/// A human reply to a sent email arrived (Postmark's inbound webhook, matched to the sent message). Auto-replies and
/// out-of-office answers are not replies and are not published as such.
/// </summary>
public record EmailReplied(
    Guid TenantId, Guid MessageId, Guid? ContactId, string Email, Guid? CampaignId, string? Subject, string? Snippet,
    DateTimeOffset OccurredAt);
