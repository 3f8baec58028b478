namespace GrowthOps.Email.Data;

/// <summary>What happened to a sent email (delivered, opened, clicked, bounced, complained, unsubscribed, replied), oldest first.</summary>
public sealed record EmailMessageEvent(Guid Id, string Type, bool Bot, string? Url, DateTime OccurredAt);
