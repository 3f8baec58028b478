using System.Text.Json;
using GrowthOps.Contracts.Email;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Email's events as activities on the contact (<c>email.sent</c>, <c>email.opened</c>, <c>email.clicked</c>,
/// <c>email.bounced</c>, <c>email.replied</c>, <c>email.unsubscribed</c>), through the activity feed, so that each is
/// published as <c>ActivityRecorded</c> and moves the contact's interaction time, engagement and score like any other;
/// segments and lead automations see them. An unsubscribe also clears the contact's marketing consent (<c>ContactUpdated</c>).
/// The contact is the event's contact id, else the contact with the email; an email to an address that is no contact (a
/// bare transactional send) or to a deleted contact records nothing: a sent email creates no contact. Not recorded:
/// dry runs (nothing was sent), a machine's opens and clicks (a scanner's prefetch is not the contact's interest) and soft
/// bounces (the next send may well arrive). Behind the inbox: a message redelivered records nothing twice.
/// </summary>
public sealed class EmailEventsConsumer(LeadsTransaction tx, ContactsStore contacts, ActivityFeed feed, ContactDirectory directory) :
    IConsumer<EmailSent>, IConsumer<EmailBatchSent>, IConsumer<EmailOpened>, IConsumer<EmailClicked>, IConsumer<EmailBounced>, IConsumer<EmailReplied>,
    IConsumer<EmailUnsubscribed>
{
    sealed record Item(Guid? ContactId, string? Email, string Type, Dictionary<string, object?> Metadata, DateTimeOffset OccurredAt);

    public Task Consume(ConsumeContext<EmailSent> context)
    {
        var m = context.Message;
        return m.DryRun ? Task.CompletedTask : RecordAsync([new Item(m.ContactId, m.Email, "email.sent", new()
        {
            ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["subject"] = m.Subject, ["provider"] = m.Provider,
        }, m.OccurredAt)], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailBatchSent> context)
    {
        var m = context.Message;
        return RecordAsync([.. m.Emails.Select(e => new Item(e.ContactId, e.Email, "email.sent", new()
        {
            ["message_id"] = e.MessageId, ["campaign_id"] = m.CampaignId,
        }, m.OccurredAt))], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailOpened> context)
    {
        var m = context.Message;
        return m.Bot ? Task.CompletedTask : RecordAsync([new Item(m.ContactId, m.Email, "email.opened", new()
        {
            ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["first"] = m.First,
        }, m.OccurredAt)], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailClicked> context)
    {
        var m = context.Message;
        return m.Bot ? Task.CompletedTask : RecordAsync([new Item(m.ContactId, m.Email, "email.clicked", new()
        {
            ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["url"] = m.Url, ["first"] = m.First,
        }, m.OccurredAt)], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailBounced> context)
    {
        var m = context.Message;
        return !m.Hard ? Task.CompletedTask : RecordAsync([new Item(m.ContactId, m.Email, "email.bounced", new()
        {
            ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["hard"] = true, ["bounce_type"] = m.Type, ["description"] = m.Description,
        }, m.OccurredAt)], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailReplied> context)
    {
        var m = context.Message;
        return RecordAsync([new Item(m.ContactId, m.Email, "email.replied", new()
        {
            ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["subject"] = m.Subject, ["snippet"] = m.Snippet,
        }, m.OccurredAt)], context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailUnsubscribed> context)
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        return tx.RunAsync(async () =>
        {
            if (await ResolveAsync(m.ContactId, m.Email, ct) is not { } contactId)
                return;
            await directory.PatchAsync(contactId, new ContactFields { MarketingConsent = new Optional<bool?>(false) }, ct);
            await RecordResolvedAsync([(contactId, new Item(contactId, m.Email, "email.unsubscribed", new()
            {
                ["message_id"] = m.MessageId, ["campaign_id"] = m.CampaignId, ["source"] = m.Source,
            }, m.OccurredAt))], ct);
        }, ct);
    }

    Task RecordAsync(IReadOnlyList<Item> items, CancellationToken ct) => tx.RunAsync(async () =>
    {
        var byEmail = new Dictionary<string, Guid>(StringComparer.OrdinalIgnoreCase);
        foreach (var email in items.Where(i => i.ContactId is null && i.Email is not null).Select(i => i.Email!.Trim()).Distinct(StringComparer.OrdinalIgnoreCase))
            if (await contacts.FindByEmailAsync(email, ct) is { } found)
                byEmail[email] = found.Id;
        // Contacts named by id that Leads no longer has (deleted) are left out, not the whole batch with them. All of them are
        // locked here at once, in id order, as the activity feed would: two batches never lock crosswise.
        var ids = items.Select(i => i.ContactId ?? (i.Email is not null && byEmail.TryGetValue(i.Email.Trim(), out var id) ? id : null))
            .ToList();
        var existing = (await contacts.GetManyForUpdateAsync([.. ids.Where(i => i is not null).Select(i => i!.Value).Distinct()], ct))
            .Select(c => c.Id).ToHashSet();
        await RecordResolvedAsync([.. items.Select((item, index) => (Id: ids[index], Item: item))
            .Where(x => x.Id is { } id && existing.Contains(id)).Select(x => (x.Id!.Value, x.Item))], ct);
    }, ct);

    async Task RecordResolvedAsync(IReadOnlyList<(Guid ContactId, Item Item)> items, CancellationToken ct)
    {
        if (items.Count == 0)
            return;
        await feed.RecordAsync([.. items.Select(x => new ActivityFeed.Input(x.Item.Type, null, x.ContactId,
            JsonSerializer.SerializeToElement(x.Item.Metadata.Where(p => p.Value is not null).ToDictionary()), x.Item.OccurredAt))], ct);
    }

    async Task<Guid?> ResolveAsync(Guid? contactId, string? email, CancellationToken ct)
    {
        if (contactId is { } id)
            return await contacts.GetAsync(id, ct) is { } byId ? byId.Id : null;
        return email is not null && await contacts.FindByEmailAsync(email, ct) is { } byEmail ? byEmail.Id : null;
    }
}
