using System.Text.Json;
using System.Text.Json.Nodes;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Segments;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// The events that trigger workflows, as their trigger types (<c>contact.tag_added</c>, <c>email.opened</c>, an activity's own
/// type such as <c>checkout.completed</c>…), on one queue (<c>cortex-trigger-events</c>). Contact events keep Cortex's copy of the
/// contact first, so filters and templates see the change. Behind the inbox: one transaction per event, in its tenant; the
/// event's message id makes its runs, so a redelivered event starts none twice.
/// </summary>
public sealed class TriggerEventsConsumer(Watcher watcher, ContactsStore contacts, SchedulesStore schedules) :
    IConsumer<ContactCreated>, IConsumer<ContactUpdated>, IConsumer<TagAdded>, IConsumer<TagRemoved>, IConsumer<LeadStateChanged>,
    IConsumer<ContactDeleted>, IConsumer<ActivityRecorded>, IConsumer<SegmentMembershipChanged>, IConsumer<SegmentMembershipBatchChanged>, IConsumer<EmailSent>, IConsumer<EmailOpened>,
    IConsumer<EmailClicked>, IConsumer<EmailBounced>, IConsumer<EmailUnsubscribed>, IConsumer<EmailReplied>, IConsumer<DealCreated>,
    IConsumer<DealStageChanged>, IConsumer<DealWon>, IConsumer<DealLost>, IConsumer<TaskCreated>, IConsumer<TaskCompleted>
{
    static readonly JsonSerializerOptions Snake = ContactsStore.Json;

    static JsonObject Payload(object message) => JsonSerializer.SerializeToNode(message, message.GetType(), Snake)!.AsObject();

    Task Trigger<T>(ConsumeContext<T> context, Guid tenantId, string type, Guid? contactId, object payload, DateTimeOffset at, string? key = null)
        where T : class =>
        watcher.HandleAsync(tenantId, new TriggerEvent(key is null ? context.MessageId!.Value : ExecuteStep.Derive($"{context.MessageId}/{key}"), type,
            contactId, payload as JsonObject ?? Payload(payload), at), context, context.CancellationToken);

    public async Task Consume(ConsumeContext<ContactCreated> context)
    {
        var m = context.Message;
        await contacts.ApplyAsync(m.Contact, context.CancellationToken);
        await Trigger(context, m.TenantId, "contact.created", m.Contact.Id, new JsonObject(), m.OccurredAt);
    }

    public async Task Consume(ConsumeContext<ContactUpdated> context)
    {
        var m = context.Message;
        await contacts.ApplyAsync(m.Contact, context.CancellationToken);
        var payload = new JsonObject { ["changed_fields"] = new JsonArray(m.ChangedFields.Select(f => (JsonNode)f).ToArray()) };
        await Trigger(context, m.TenantId, "contact.updated", m.Contact.Id, payload, m.OccurredAt);
        if (m.ChangedFields.Contains("score"))
            await Trigger(context, m.TenantId, "contact.score_changed", m.Contact.Id, new JsonObject { ["score"] = m.Contact.Score }, m.OccurredAt, "score");
    }

    public async Task Consume(ConsumeContext<TagAdded> context)
    {
        var m = context.Message;
        await contacts.ApplyAsync(m.Contact, context.CancellationToken);
        await Trigger(context, m.TenantId, "contact.tag_added", m.ContactId, new JsonObject { ["tag"] = m.Tag }, m.OccurredAt);
    }

    public async Task Consume(ConsumeContext<TagRemoved> context)
    {
        var m = context.Message;
        await contacts.ApplyAsync(m.Contact, context.CancellationToken);
        await Trigger(context, m.TenantId, "contact.tag_removed", m.ContactId, new JsonObject { ["tag"] = m.Tag }, m.OccurredAt);
    }

    public async Task Consume(ConsumeContext<LeadStateChanged> context)
    {
        var m = context.Message;
        await contacts.ApplyAsync(m.Contact, context.CancellationToken);
        await Trigger(context, m.TenantId, "lead.state_changed", m.ContactId, new JsonObject
        {
            ["from_state"] = m.FromState, ["to_state"] = m.ToState, ["terminal"] = m.ToTerminal, ["source"] = m.Source, ["notes"] = m.Notes,
        }, m.OccurredAt);
    }

    public Task Consume(ConsumeContext<ContactDeleted> context) => contacts.DeleteAsync(context.Message.ContactId, context.CancellationToken);

    public async Task Consume(ConsumeContext<ActivityRecorded> context)
    {
        var m = context.Message;
        await contacts.RecordActivityAsync(m.ActivityId, m.ContactId, m.Type, m.Metadata, m.OccurredAt, context.CancellationToken);
        var payload = m.Metadata is null ? new JsonObject() : JsonSerializer.SerializeToNode(m.Metadata)!.AsObject();
        payload["type"] = m.Type;
        payload["activity_id"] = m.ActivityId;
        await Trigger(context, m.TenantId, m.Type, m.ContactId, payload, m.OccurredAt);
        if (!Domain.Graph.NodeCatalog.TriggerTypes.Contains(m.Type))
            await Trigger(context, m.TenantId, "custom.event", m.ContactId, payload, m.OccurredAt, "custom");
    }

    /// <summary>A pass's entries and exits (a refresh, static members added or removed): each one a trigger event of its own.</summary>
    public async Task Consume(ConsumeContext<SegmentMembershipBatchChanged> context)
    {
        var m = context.Message;
        foreach (var (contacts, entered) in new[] { (m.Entered, true), (m.Exited, false) })
            foreach (var contact in contacts)
            {
                await schedules.RecordMembershipAsync(m.SegmentId, contact, entered, m.OccurredAt, context.CancellationToken);
                await Trigger(context, m.TenantId, entered ? "contact.segment_entered" : "contact.segment_exited", contact,
                    new JsonObject { ["segment_id"] = m.SegmentId, ["segment_name"] = m.SegmentName, ["reason"] = m.Reason }, m.OccurredAt,
                    $"{(entered ? "in" : "out")}/{contact}");
            }
    }

    public async Task Consume(ConsumeContext<SegmentMembershipChanged> context)
    {
        var m = context.Message;
        await schedules.RecordMembershipAsync(m.SegmentId, m.ContactId, m.Change == "entered", m.OccurredAt, context.CancellationToken);
        await Trigger(context, m.TenantId, m.Change == "entered" ? "contact.segment_entered" : "contact.segment_exited", m.ContactId,
            new JsonObject { ["segment_id"] = m.SegmentId, ["segment_name"] = m.SegmentName, ["reason"] = m.Reason }, m.OccurredAt);
    }

    public Task Consume(ConsumeContext<EmailSent> context) =>
        Email(context, context.Message.TenantId, "email.sent", context.Message.ContactId, context.Message.MessageId, context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailOpened> context) =>
        context.Message.Bot
            ? Task.CompletedTask
            : Email(context, context.Message.TenantId, "email.opened", context.Message.ContactId, context.Message.MessageId, context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailClicked> context) =>
        context.Message.Bot
            ? Task.CompletedTask
            : Email(context, context.Message.TenantId, "email.clicked", context.Message.ContactId, context.Message.MessageId, context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailBounced> context) =>
        Email(context, context.Message.TenantId, "email.bounced", context.Message.ContactId, context.Message.MessageId, context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailUnsubscribed> context) =>
        Email(context, context.Message.TenantId, "email.unsubscribed", context.Message.ContactId, context.Message.MessageId ?? context.MessageId!.Value,
            context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailReplied> context) =>
        Email(context, context.Message.TenantId, "email.replied", context.Message.ContactId, context.MessageId!.Value, context.Message.OccurredAt);

    /// <summary>Email events are activities too (aggregate conditions, optimize_timing's open hours).</summary>
    async Task Email<T>(ConsumeContext<T> context, Guid tenantId, string type, Guid? contactId, Guid messageId, DateTimeOffset at)
        where T : class
    {
        var payload = Payload(context.Message);
        if (contactId is { } id)
            await contacts.RecordActivityAsync(ExecuteStep.Derive($"{type}/{context.MessageId}"), id, type,
                new Dictionary<string, JsonElement> { ["message_id"] = JsonSerializer.SerializeToElement(messageId) }, at, context.CancellationToken);
        await Trigger(context, tenantId, type, contactId, payload, at);
    }

    public Task Consume(ConsumeContext<DealCreated> context) =>
        Trigger(context, context.Message.TenantId, "deal.created", null, Payload(context.Message), context.Message.OccurredAt);

    public Task Consume(ConsumeContext<DealStageChanged> context) =>
        Trigger(context, context.Message.TenantId, "deal.stage_changed", null, Payload(context.Message), context.Message.OccurredAt);

    public Task Consume(ConsumeContext<DealWon> context) =>
        Trigger(context, context.Message.TenantId, "deal.won", null, Payload(context.Message), context.Message.OccurredAt);

    public Task Consume(ConsumeContext<DealLost> context) =>
        Trigger(context, context.Message.TenantId, "deal.lost", null, Payload(context.Message), context.Message.OccurredAt);

    public Task Consume(ConsumeContext<TaskCreated> context) =>
        Trigger(context, context.Message.TenantId, "task.created", context.Message.ContactId, Payload(context.Message), context.Message.OccurredAt);

    public Task Consume(ConsumeContext<TaskCompleted> context) =>
        Trigger(context, context.Message.TenantId, "task.completed", context.Message.ContactId, Payload(context.Message), context.Message.OccurredAt);
}
