using GrowthOps.Email.Data;
using GrowthOps.Email.Integrations.Postmark;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Turns Postmark's webhooks into Email's events, in the tenant's transaction. The email is the one named by the
/// <c>message_id</c> of the message's Metadata, else the one Postmark accepted under its MessageID. Delivery →
/// <c>EmailDelivered</c>; Bounce → <c>EmailBounced</c> (hard ones suppress the address); SpamComplaint →
/// <c>EmailComplained</c> and a suppression (also from a SubscriptionChange for a spam complaint: broadcast streams report
/// them only so; one complaint per email either way); Open / Click (Postmark's own tracking) → <c>EmailOpened</c> /
/// <c>EmailClicked</c>; SubscriptionChange that suppresses → the suppression, and for an unsubscribe (Postmark's
/// ManualSuppression) <c>EmailUnsubscribed</c>. A reactivation (SuppressSending false) changes nothing here: an address
/// leaves Email's suppression list only by a person's decision in Email.
/// </summary>
public sealed class PostmarkWebhookProcessor(EmailEventsStore events, SuppressionsStore suppressions, EmailEventRecorder recorder,
    IOptions<TrackingOptions> options, TimeProvider clock)
{
    public async Task<WebhookOutcome> ProcessAsync(PostmarkRecord record, CancellationToken ct)
    {
        var message = record.MetadataMessageId is { } id ? await events.FindAsync(id, ct) : null;
        if (message is null && record.MessageId is { } providerId)
            message = await events.FindByProviderIdAsync(providerId, ct);
        var at = record.At ?? clock.GetUtcNow();

        if (record.RecordType == "SubscriptionChange")
            return await SubscriptionChangeAsync(record, message, at, ct);
        if (record.RecordType is not ("Delivery" or "Bounce" or "SpamComplaint" or "Open" or "Click"))
            return new WebhookOutcome(record.RecordType, false, "ignored", message?.Id, "Email does not act on this record type.");
        if (message is null)
        {
            // The address is still protected: a hard bounce or a complaint suppresses it even when the email is not ours to know.
            if (record.Recipient is { } address && (record.RecordType == "SpamComplaint" || (record.RecordType == "Bounce" && record.IsHardBounce)))
                await suppressions.AddAsync(address, record.RecordType == "SpamComplaint" ? "spam_complaint" : "hard_bounce", "postmark", null, null, null, ct);
            return new WebhookOutcome(record.RecordType, false, "unknown_message", null, $"No email was sent with Postmark MessageID {record.MessageId}.");
        }

        var email = record.Recipient ?? message.ToEmail;
        // Postmark's Open and Click carry the reader's User-Agent: the same bot rules as for our own pixel and redirect.
        var botRule = record.UserAgent is { } ua ? BotRules.Classify("GET", ua, null, options.Value.BotClickWindow) : null;
        var details = new Dictionary<string, object?> { ["provider"] = "postmark", ["provider_message_id"] = record.MessageId };
        var bot = botRule is not null;
        var recorded = record.RecordType switch
        {
            "Delivery" => await recorder.DeliveredAsync(Event("delivered"), ct),
            "Bounce" => await recorder.BouncedAsync(
                Event("bounced", ("bounce_type", record.Type), ("type_code", record.TypeCode), ("hard", record.IsHardBounce), ("description", record.Description)),
                email, record.IsHardBounce, record.Type ?? "Unknown", record.Description, ct),
            "SpamComplaint" => await recorder.ComplainedAsync(Event("complained"), email, ct),
            "Open" => await recorder.OpenedAsync(
                Event("opened", ("platform", record.Platform), ("postmark_first_open", record.FirstOpen), ("bot_rule", botRule)) with { Bot = bot },
                record.UserAgent, ct),
            _ => await recorder.ClickedAsync(
                Event("clicked", ("platform", record.Platform), ("bot_rule", botRule)) with { Bot = bot, Url = record.OriginalLink ?? "" },
                record.UserAgent, ct),
        };
        return new WebhookOutcome(record.RecordType, recorded, recorded ? "recorded" : "duplicate", message.Id);

        EmailEvent Event(string type, params (string Key, object? Value)[] more)
        {
            foreach (var (key, value) in more)
                details[key] = value;
            return new EmailEvent(message, type, record.DedupKey, at, Details: details);
        }
    }

    async Task<WebhookOutcome> SubscriptionChangeAsync(PostmarkRecord record, TrackedMessage? message, DateTimeOffset at, CancellationToken ct)
    {
        if (record.SuppressSending != true || record.Recipient is not { } address)
            return new WebhookOutcome(record.RecordType, false, "ignored", message?.Id, "A reactivation in Postmark does not lift Email's suppression.");
        var (reason, publishes) = record.SuppressionReason switch
        {
            "HardBounce" => ("hard_bounce", false),
            "SpamComplaint" => ("spam_complaint", false),
            // ManualSuppression: how Postmark reports an unsubscribe (its link, a list-unsubscribe, or a suppression in its UI).
            _ => ("unsubscribe", true),
        };
        if (reason == "spam_complaint" && message is not null)
        {
            var complained = await recorder.ComplainedAsync(new EmailEvent(message, "complained", record.DedupKey, at,
                Details: new Dictionary<string, object?> { ["provider"] = "postmark", ["via"] = "SubscriptionChange" }), address, ct);
            return new WebhookOutcome(record.RecordType, complained, complained ? "recorded" : "duplicate", message.Id);
        }

        if (!publishes)
        {
            var added = await suppressions.AddAsync(address, reason, "postmark", message?.Id, message?.CampaignId, null, ct);
            return new WebhookOutcome(record.RecordType, added, added ? "recorded" : "duplicate", message?.Id);
        }

        var e = message is null ? null : new EmailEvent(message, "unsubscribed", record.DedupKey, at,
            Details: new Dictionary<string, object?> { ["provider"] = "postmark", ["suppression_reason"] = record.SuppressionReason });
        var recorded = await recorder.UnsubscribedAsync(e, address, at, ct);
        return new WebhookOutcome(record.RecordType, recorded, recorded ? "recorded" : "duplicate", message?.Id);
    }
}
