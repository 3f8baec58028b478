using System.Text.Json;
using System.Text.Json.Serialization;

namespace GrowthOps.Email.Apis;

/// <summary>
/// A Postmark webhook as Postmark posts it (PascalCase; one event per request), documented for the webhook route: the
/// fields Email reads. Delivery (DeliveredAt), Bounce and SpamComplaint (ID, Type, TypeCode, Email, BouncedAt), Open
/// (FirstOpen, ReceivedAt, UserAgent, Platform), Click (OriginalLink, ReceivedAt), SubscriptionChange (SuppressSending,
/// SuppressionReason, ChangedAt). Metadata.message_id, when present, names Email's email.
/// </summary>
public sealed record PostmarkWebhookBody(
    [property: JsonPropertyName("RecordType")] string RecordType,
    [property: JsonPropertyName("MessageID")] string? MessageId = null,
    [property: JsonPropertyName("Recipient")] string? Recipient = null,
    [property: JsonPropertyName("Email")] string? Email = null,
    [property: JsonPropertyName("Type")] string? Type = null,
    [property: JsonPropertyName("Metadata")] Dictionary<string, JsonElement>? Metadata = null);
