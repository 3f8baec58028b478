namespace GrowthOps.Email.Domain.Sending;

/// <summary>What a provider said of one email: sent (with its id there), or failed for now (retry) or for good.</summary>
public sealed record SendOutcome(Guid MessageId, SendStatus Status, string? ProviderMessageId = null, string? ErrorCode = null, string? Error = null)
{
    public static SendOutcome Sent(Guid messageId, string? providerMessageId) => new(messageId, SendStatus.Sent, providerMessageId);

    public static SendOutcome Transient(Guid messageId, string? code, string error) => new(messageId, SendStatus.Transient, null, code, error);

    public static SendOutcome Permanent(Guid messageId, string? code, string error) => new(messageId, SendStatus.Permanent, null, code, error);
}

public enum SendStatus
{
    Sent,
    Transient,
    Permanent,
}
