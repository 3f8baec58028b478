using System.Globalization;
using System.Text.Json;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>
/// One Postmark webhook delivery (one event per POST, PascalCase, as Postmark sends it): the fields Email acts on, whatever
/// the <see cref="RecordType"/> (<c>Delivery</c>, <c>Bounce</c>, <c>SpamComplaint</c>, <c>Open</c>, <c>Click</c>,
/// <c>SubscriptionChange</c>). <see cref="MetadataMessageId"/> is the <c>message_id</c> Email puts in each message's
/// Metadata; <see cref="MessageId"/> is Postmark's MessageID.
/// </summary>
public sealed record PostmarkRecord(
    string RecordType,
    string? MessageId,
    Guid? MetadataMessageId,
    long? Id,
    string? Recipient,
    string? Type,
    long? TypeCode,
    string? Description,
    bool? Inactive,
    bool? FirstOpen,
    string? UserAgent,
    string? Platform,
    string? OriginalLink,
    bool? SuppressSending,
    string? SuppressionReason,
    DateTimeOffset? At)
{
    /// <summary>
    /// Postmark's bounce types that mean the address will not take mail (Postmark deactivates it too); every other type
    /// (Transient, SoftBounce, DnsError, AutoResponder, Blocked, …) is soft: the address stays.
    /// </summary>
    public static readonly string[] HardBounceTypes = ["HardBounce", "BadEmailAddress", "SpamNotification", "ManuallyDeactivated"];

    public bool IsHardBounce => Type is not null && HardBounceTypes.Contains(Type, StringComparer.OrdinalIgnoreCase);

    /// <summary>What makes a second delivery of the same event recognisable: Postmark's own id where it has one, else its type, message and time.</summary>
    public string DedupKey => RecordType switch
    {
        "Bounce" when Id is { } id => $"postmark:Bounce:{id}",
        // One complaint per email and address, whichever way it came: broadcast streams report complaints only as a
        // SubscriptionChange, transactional ones as a SpamComplaint and a SubscriptionChange.
        "SpamComplaint" => ComplaintKey,
        "SubscriptionChange" when SuppressionReason == "SpamComplaint" => ComplaintKey,
        _ => $"postmark:{RecordType}:{MessageId}:{Recipient?.ToLowerInvariant()}:{At?.UtcTicks}:{OriginalLink}",
    };

    string ComplaintKey => $"postmark:SpamComplaint:{MessageId}:{Recipient?.ToLowerInvariant()}";

    /// <summary>Reads a delivery; null when it is not a JSON object with a RecordType.</summary>
    public static PostmarkRecord? Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || Text(body, "RecordType") is not { } recordType)
            return null;
        Guid? metadataId = body.TryGetProperty("Metadata", out var metadata) && metadata.ValueKind == JsonValueKind.Object
                           && Text(metadata, "message_id") is { } m && Guid.TryParse(m, out var g) ? g : null;
        var timeField = recordType switch
        {
            "Delivery" => "DeliveredAt",
            "Bounce" or "SpamComplaint" => "BouncedAt",
            "SubscriptionChange" => "ChangedAt",
            _ => "ReceivedAt",
        };
        return new PostmarkRecord(recordType, Text(body, "MessageID"), metadataId, Number(body, "ID"),
            Text(body, "Recipient") ?? Text(body, "Email"), Text(body, "Type"), Number(body, "TypeCode"), Text(body, "Description"),
            Bool(body, "Inactive"), Bool(body, "FirstOpen"), Text(body, "UserAgent"), Text(body, "Platform"), Text(body, "OriginalLink"),
            Bool(body, "SuppressSending"), Text(body, "SuppressionReason"), Time(body, timeField));
    }

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;

    static long? Number(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out var n) ? n : null;

    static bool? Bool(JsonElement e, string name) => e.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : null;

    static DateTimeOffset? Time(JsonElement e, string name) =>
        Text(e, name) is { } s && DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var t) ? t : null;
}
