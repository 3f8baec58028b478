using System.Text.Json.Serialization;

namespace GrowthOps.Email.Apis;

/// <summary>An inbound email as Postmark's inbound webhook posts it, documented for the inbound route: the fields Email reads.</summary>
public sealed record PostmarkInboundBody(
    [property: JsonPropertyName("MessageID")] string MessageId,
    [property: JsonPropertyName("From")] string? From = null,
    [property: JsonPropertyName("To")] string? To = null,
    [property: JsonPropertyName("Subject")] string? Subject = null,
    [property: JsonPropertyName("MailboxHash")] string? MailboxHash = null,
    [property: JsonPropertyName("TextBody")] string? TextBody = null,
    [property: JsonPropertyName("StrippedTextReply")] string? StrippedTextReply = null,
    [property: JsonPropertyName("Headers")] List<PostmarkInboundBody.Header>? Headers = null)
{
    public sealed record Header([property: JsonPropertyName("Name")] string Name, [property: JsonPropertyName("Value")] string? Value);
}
