using System.Text.Json;
using System.Text.RegularExpressions;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>
/// An inbound email as Postmark's inbound webhook posts it (From, FromFull, To, ToFull, OriginalRecipient, MailboxHash,
/// Subject, MessageID, TextBody, StrippedTextReply, Headers as Name/Value pairs): what matching it to a sent email needs.
/// </summary>
public sealed partial record PostmarkInbound(
    string MessageId,
    string? From,
    string? Subject,
    string? Body,
    IReadOnlyDictionary<string, string> Headers,
    IReadOnlyList<Guid> ReferencedIds,
    IReadOnlyList<Guid> AddressIds,
    DateTimeOffset? Date)
{
    [GeneratedRegex("[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")]
    private static partial Regex GuidPattern();

    [GeneratedRegex(@"^\s*((re|aw|sv|antw|wg|r|rif|res)\s*(\[\d+\])?\s*:\s*)+", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ReplyPrefix();

    /// <summary>The subject starts like a reply's (Re:, AW:, SV:, Antw:…).</summary>
    public bool LooksLikeReply => Subject is not null && ReplyPrefix().IsMatch(Subject);

    public static PostmarkInbound? Parse(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || Text(body, "MessageID") is not { } messageId)
            return null;
        var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        if (body.TryGetProperty("Headers", out var list) && list.ValueKind == JsonValueKind.Array)
            foreach (var h in list.EnumerateArray())
                if (h.ValueKind == JsonValueKind.Object && Text(h, "Name") is { } name)
                    headers.TryAdd(name, Text(h, "Value") ?? "");

        // In-Reply-To and References hold the Message-IDs of the emails answered: ours carry the email's id, Postmark's its MessageID.
        var referenced = Guids(headers.GetValueOrDefault("In-Reply-To"), headers.GetValueOrDefault("References"));
        // A reply-to address with the email's id (reply+<id>@…) arrives as the mailbox hash and in the To addresses.
        var addressed = Guids(Text(body, "MailboxHash"), Text(body, "OriginalRecipient"), Text(body, "To"), Recipients(body));
        var from = body.TryGetProperty("FromFull", out var full) && full.ValueKind == JsonValueKind.Object && Text(full, "Email") is { } f ? f : Text(body, "From");
        return new PostmarkInbound(messageId, from, Text(body, "Subject"), Text(body, "StrippedTextReply") ?? Text(body, "TextBody"), headers,
            referenced, addressed, Text(body, "Date") is { } d && DateTimeOffset.TryParse(d, System.Globalization.CultureInfo.InvariantCulture,
                System.Globalization.DateTimeStyles.None, out var date) ? date : null);
    }

    static string? Recipients(JsonElement body) => body.TryGetProperty("ToFull", out var to) && to.ValueKind == JsonValueKind.Array
        ? string.Join(' ', to.EnumerateArray().Select(t => t.ValueKind == JsonValueKind.Object ? $"{Text(t, "Email")} {Text(t, "MailboxHash")}" : ""))
        : null;

    static Guid[] Guids(params string?[] texts) =>
        [.. texts.Where(t => t is not null).SelectMany(t => GuidPattern().Matches(t!)).Select(m => Guid.Parse(m.Value)).Distinct()];

    static string? Text(JsonElement e, string name) =>
        e.TryGetProperty(name, out var v) && v.ValueKind == JsonValueKind.String && v.GetString() is { Length: > 0 } s ? s : null;
}
