using System.Text.Json.Serialization;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>
/// Postmark's answer for one message of a batch (<c>ErrorCode</c> 0 is success), and the body of a whole request's refusal
/// (401, 422: <c>ErrorCode</c> and <c>Message</c> only).
/// </summary>
public sealed record PostmarkSendResult
{
    [JsonPropertyName("ErrorCode")] public int ErrorCode { get; init; }
    [JsonPropertyName("Message")] public string? Message { get; init; }
    [JsonPropertyName("MessageID")] public string? MessageId { get; init; }
    [JsonPropertyName("SubmittedAt")] public DateTimeOffset? SubmittedAt { get; init; }
    [JsonPropertyName("To")] public string? To { get; init; }
}
