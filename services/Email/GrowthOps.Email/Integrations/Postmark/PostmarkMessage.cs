using System.Text.Json.Serialization;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>One message of <c>POST /email/batch</c>, with Postmark's field names.</summary>
public sealed record PostmarkMessage
{
    [JsonPropertyName("From")] public required string From { get; init; }
    [JsonPropertyName("To")] public required string To { get; init; }
    [JsonPropertyName("ReplyTo")] public string? ReplyTo { get; init; }
    [JsonPropertyName("Subject")] public required string Subject { get; init; }
    [JsonPropertyName("HtmlBody")] public string? HtmlBody { get; init; }
    [JsonPropertyName("TextBody")] public string? TextBody { get; init; }
    [JsonPropertyName("Headers")] public IReadOnlyList<PostmarkHeader>? Headers { get; init; }
    [JsonPropertyName("Tag")] public string? Tag { get; init; }
    [JsonPropertyName("MessageStream")] public required string MessageStream { get; init; }
    [JsonPropertyName("TrackOpens")] public bool TrackOpens { get; init; }
    /// <summary><c>None</c>, <c>HtmlAndText</c>, <c>HtmlOnly</c> or <c>TextOnly</c>.</summary>
    [JsonPropertyName("TrackLinks")] public string TrackLinks { get; init; } = "None";
    [JsonPropertyName("Metadata")] public IReadOnlyDictionary<string, string>? Metadata { get; init; }
}
