using GrowthOps.Email.Data;
using GrowthOps.Email.Integrations.Postmark;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Matches an inbound email (Postmark's inbound webhook) to the email it answers, in this order: an id of ours or
/// Postmark's in In-Reply-To / References; an id in the address it was sent to (<c>reply+&lt;id&gt;@…</c>); else, when
/// the subject reads as a reply (Re:, AW:, SV:…), the latest email sent to the sender's address. A person's reply is
/// recorded and published as <c>EmailReplied</c>; an automatic answer (<see cref="AutoReplyRules"/>) is recorded as
/// <c>auto_replied</c> and published as nothing. Each inbound email counts once (its Postmark MessageID).
/// </summary>
public sealed class InboundReplyProcessor(EmailEventsStore events, EmailEventRecorder recorder, IOptions<TrackingOptions> options, TimeProvider clock)
{
    public async Task<WebhookOutcome> ProcessAsync(PostmarkInbound inbound, CancellationToken ct)
    {
        var (message, matchedBy) = await MatchAsync(inbound, ct);
        if (message is null)
            return new WebhookOutcome("Inbound", false, "unknown_message", null, "The email answers none sent by this tenant.");

        var at = inbound.Date ?? clock.GetUtcNow();
        var automatic = AutoReplyRules.Classify(inbound.Headers, inbound.Subject);
        var details = new Dictionary<string, object?>
        {
            ["provider"] = "postmark", ["inbound_message_id"] = inbound.MessageId, ["from"] = inbound.From, ["subject"] = inbound.Subject,
            ["matched_by"] = matchedBy, ["auto_reply_rule"] = automatic,
        };
        var e = new EmailEvent(message, automatic is null ? "replied" : "auto_replied", $"postmark:Inbound:{inbound.MessageId}", at, Details: details);
        if (automatic is not null)
            return await recorder.AutoRepliedAsync(e, ct)
                ? new WebhookOutcome("Inbound", true, "auto_reply", message.Id, $"An automatic answer ({automatic}): not counted as a reply.")
                : new WebhookOutcome("Inbound", false, "duplicate", message.Id);

        var limit = options.Value.ReplySnippetLength;
        var snippet = inbound.Body?.Trim() is { } text ? text.Length > limit ? text[..limit] : text : null;
        return await recorder.RepliedAsync(e, inbound.Subject, snippet, ct)
            ? new WebhookOutcome("Inbound", true, "recorded", message.Id)
            : new WebhookOutcome("Inbound", false, "duplicate", message.Id);
    }

    async Task<(TrackedMessage? Message, string? By)> MatchAsync(PostmarkInbound inbound, CancellationToken ct)
    {
        if (inbound.ReferencedIds.Count > 0 && await events.FindAnyAsync([.. inbound.ReferencedIds], ct) is { } referenced)
            return (referenced, "references");
        if (inbound.AddressIds.Count > 0 && await events.FindAnyAsync([.. inbound.AddressIds], ct) is { } addressed)
            return (addressed, "reply_address");
        if (inbound.From is { } from && inbound.LooksLikeReply && await events.FindLatestSentToAsync(from, ct) is { } latest)
            return (latest, "sender");
        return (null, null);
    }
}
