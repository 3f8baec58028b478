using GrowthOps.Contracts.Email;
using GrowthOps.Email.Data;
using GrowthOps.Persistence;
using MassTransit;

namespace GrowthOps.Email.Domain.Tracking;

/// <summary>
/// Records what happened to a sent email in <c>email.events</c> and publishes it (through the outbox, in the same
/// transaction), once per dedup key: a repeated pixel hit, click or webhook changes nothing and publishes nothing.
/// Hard bounces, spam complaints and provider unsubscribes also suppress the address.
/// </summary>
public sealed class EmailEventRecorder(UnitOfWork unitOfWork, EmailEventsStore events, SuppressionsStore suppressions, IPublishEndpoint publish)
{
    Guid Tenant => unitOfWork.TenantId ?? throw new InvalidOperationException("Email events need a tenant.");

    public async Task<bool> OpenedAsync(EmailEvent e, string? userAgent, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is not { } first)
            return false;
        var m = e.Message;
        await publish.Publish(new EmailOpened(Tenant, m.Id, m.ContactId, m.ToEmail, m.CampaignId, first, e.Bot, userAgent, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    public async Task<bool> ClickedAsync(EmailEvent e, string? userAgent, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is not { } first)
            return false;
        var m = e.Message;
        await publish.Publish(new EmailClicked(Tenant, m.Id, m.ContactId, m.ToEmail, m.CampaignId, e.Url!, first, e.Bot, userAgent, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    public async Task<bool> DeliveredAsync(EmailEvent e, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is null)
            return false;
        var m = e.Message;
        await publish.Publish(new EmailDelivered(Tenant, m.Id, m.ContactId, m.ToEmail, m.CampaignId, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    public async Task<bool> BouncedAsync(EmailEvent e, string email, bool hard, string type, string? description, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is null)
            return false;
        var m = e.Message;
        if (hard)
            await suppressions.AddAsync(email, "hard_bounce", "postmark", m.Id, m.CampaignId, null, ct);
        await publish.Publish(new EmailBounced(Tenant, m.Id, m.ContactId, email, m.CampaignId, hard, type, description, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    public async Task<bool> ComplainedAsync(EmailEvent e, string email, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is null)
            return false;
        var m = e.Message;
        await suppressions.AddAsync(email, "spam_complaint", "postmark", m.Id, m.CampaignId, null, ct);
        await publish.Publish(new EmailComplained(Tenant, m.Id, m.ContactId, email, m.CampaignId, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    /// <summary>
    /// An unsubscribe the provider reports. With the email known it is recorded as its event (deduplicated by key); without
    /// (a suppression made in Postmark's UI) the suppression list is what makes a repeat a no-op.
    /// </summary>
    public async Task<bool> UnsubscribedAsync(EmailEvent? e, string email, DateTimeOffset at, CancellationToken ct)
    {
        var m = e?.Message;
        if (e is not null && await events.RecordAsync(e, ct) is null)
            return false;
        var added = await suppressions.AddAsync(email, "unsubscribe", "postmark", m?.Id, m?.CampaignId, null, ct);
        if (e is null && !added)
            return false;
        await publish.Publish(new EmailUnsubscribed(Tenant, m?.Id, m?.ContactId, email.Trim().ToLowerInvariant(), m?.CampaignId, "provider", at), ct);
        return true;
    }

    public async Task<bool> RepliedAsync(EmailEvent e, string? subject, string? snippet, CancellationToken ct)
    {
        if (await events.RecordAsync(e, ct) is null)
            return false;
        var m = e.Message;
        await publish.Publish(new EmailReplied(Tenant, m.Id, m.ContactId, m.ToEmail, m.CampaignId, subject, snippet, e.OccurredAt.ToUniversalTime()), ct);
        return true;
    }

    /// <summary>An automatic answer: recorded (so that it shows, and a repeat is recognised), not published as a reply.</summary>
    public async Task<bool> AutoRepliedAsync(EmailEvent e, CancellationToken ct) => await events.RecordAsync(e, ct) is not null;
}
