namespace GrowthOps.Email.Apis;

/// <summary>
/// Where Postmark sends the tenant's webhooks and with which user name. <see cref="Password"/> and the URLs with it are
/// shown once, in the answer to setting or rotating them; Email keeps only a hash.
/// </summary>
public sealed record PostmarkWebhookSettings(
    string Username,
    string WebhookUrl,
    string InboundUrl,
    DateTime CreatedAt,
    DateTime RotatedAt,
    string? Password = null);
