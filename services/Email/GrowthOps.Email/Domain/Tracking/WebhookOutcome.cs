namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// What a webhook delivery did (the webhook's 200 answer): <see cref="Recorded"/> false for a repeat, an unknown email or a
/// record type Email does not act on, <see cref="Outcome"/> saying which (<c>recorded</c>, <c>duplicate</c>,
/// <c>unknown_message</c>, <c>ignored</c>, <c>auto_reply</c>).
/// </summary>
public sealed record WebhookOutcome(string RecordType, bool Recorded, string Outcome, Guid? MessageId, string? Detail = null);
