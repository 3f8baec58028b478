using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Sequences;
using MassTransit;

namespace GrowthOps.Cortex.Consumers;

/// <summary>
/// What other services report that sequences act on, turned into the enrolment saga's own events: Email's outcome of a
/// sequence's send (by its idempotency key), opens, clicks, replies and bounces of a sequence's messages (by message id, recorded
/// per message for the per-step and per-variant analytics), unsubscribes, and from Leads a deal created or a meeting booked for
/// the lead (every live enrolment of the lead), and the lead's deletion. Leads' refusals of a sequence's commands go to the execution log.
/// </summary>
public sealed class SequenceEventsConsumer(SequencesStore store, TimeProvider clock) :
    IConsumer<EmailSent>, IConsumer<EmailFailed>, IConsumer<EmailOpened>, IConsumer<EmailClicked>, IConsumer<EmailReplied>, IConsumer<EmailBounced>,
    IConsumer<EmailUnsubscribed>, IConsumer<DealCreated>, IConsumer<ActivityRecorded>, IConsumer<LeadsCommandFailed>, IConsumer<ContactDeleted>,
    IConsumer<ContactsMerged>
{
    /// <summary>Activity types that mean a meeting was booked with the lead.</summary>
    public static readonly IReadOnlySet<string> MeetingTypes = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
    {
        "meeting_booked", "meeting.booked", "meeting.scheduled", "meeting_scheduled",
    };

    /// <summary>Records the message (so that its opens and replies find their enrolment, step and variant) and tells the enrolment.</summary>
    public async Task Consume(ConsumeContext<EmailSent> context)
    {
        var m = context.Message;
        if (Enrollment(m.IdempotencyKey, m.CorrelationId) is not { } id || m.DryRun)
            return;
        if (SequenceKeys.Read(m.IdempotencyKey) is { } key && m.ContactId is { } contact && await store.StepAsync(key.Step, context.CancellationToken) is { } step)
            await store.RecordMessageAsync(new SequenceMessage(m.MessageId, id, step.SequenceId, contact, step.Id, step.StepOrder, key.Variant,
                m.OccurredAt.UtcDateTime), context.CancellationToken);
        await context.Publish(new SequenceEmailOutcome(m.TenantId, id, m.IdempotencyKey!, m.MessageId, true, null, null, m.OccurredAt), context.CancellationToken);
    }

    public Task Consume(ConsumeContext<EmailFailed> context)
    {
        var m = context.Message;
        return Enrollment(m.IdempotencyKey, m.CorrelationId) is { } id
            ? context.Publish(new SequenceEmailOutcome(m.TenantId, id, m.IdempotencyKey!, m.MessageId, false, m.Reason,
                m.Error is null ? m.ErrorCode : $"{m.ErrorCode}: {m.Error}", m.OccurredAt), context.CancellationToken)
            : Task.CompletedTask;
    }

    /// <summary>A sequence's keys are <c>sequence:&lt;enrolment&gt;:…</c> and its sends carry the enrolment as correlation id.</summary>
    static Guid? Enrollment(string? key, Guid? correlationId) =>
        key is not null && key.StartsWith("sequence:", StringComparison.Ordinal) && correlationId is { } id ? id : null;

    public Task Consume(ConsumeContext<EmailOpened> context) =>
        context.Message.Bot ? Task.CompletedTask : Mark(context, context.Message.TenantId, context.Message.MessageId, "opened_at", "opened", context.Message.OccurredAt);

    public Task Consume(ConsumeContext<EmailClicked> context) =>
        context.Message.Bot ? Task.CompletedTask : Mark(context, context.Message.TenantId, context.Message.MessageId, "clicked_at", "clicked", context.Message.OccurredAt);

    /// <summary>A reply to a sequence's message stops its enrolment; a reply to any other email stops every live enrolment of the lead.</summary>
    public async Task Consume(ConsumeContext<EmailReplied> context)
    {
        var m = context.Message;
        if (!await Mark(context, m.TenantId, m.MessageId, "replied_at", "replied", m.OccurredAt) && m.ContactId is { } contact)
            await Everywhere(context, m.TenantId, contact, "replied", m.MessageId, m.Snippet, m.OccurredAt);
    }

    /// <summary>A hard bounce ends every live enrolment of the lead (the address is dead); a soft one is only counted.</summary>
    public async Task Consume(ConsumeContext<EmailBounced> context)
    {
        var m = context.Message;
        await store.MarkMessageAsync(m.MessageId, "bounced_at", m.OccurredAt, context.CancellationToken);
        if (m.Hard && m.ContactId is { } contact)
            await Everywhere(context, m.TenantId, contact, "bounced", m.MessageId, m.Type, m.OccurredAt);
    }

    public Task Consume(ConsumeContext<EmailUnsubscribed> context) =>
        context.Message.ContactId is { } contact
            ? Everywhere(context, context.Message.TenantId, contact, "unsubscribed", context.Message.MessageId, context.Message.Source, context.Message.OccurredAt)
            : Task.CompletedTask;

    public async Task Consume(ConsumeContext<DealCreated> context)
    {
        var m = context.Message;
        foreach (var contact in m.ContactIds.Distinct())
            await Everywhere(context, m.TenantId, contact, "deal_created", null, m.Name, m.OccurredAt);
    }

    public Task Consume(ConsumeContext<ActivityRecorded> context) =>
        MeetingTypes.Contains(context.Message.Type)
            ? Everywhere(context, context.Message.TenantId, context.Message.ContactId, "meeting_booked", null, context.Message.Type, context.Message.OccurredAt)
            : Task.CompletedTask;

    /// <summary>A deleted lead's enrolments end (reason lead_deleted): nothing more is sent to it.</summary>
    public Task Consume(ConsumeContext<ContactDeleted> context) =>
        Everywhere(context, context.Message.TenantId, context.Message.ContactId, "lead_deleted", null, null, context.Message.OccurredAt);

    /// <summary>
    /// A merged duplicate's enrolments end (reason lead_merged, the survivor in the log's detail): its emails would now reach the
    /// survivor, who may be in the same sequence already; enrol the survivor to continue.
    /// </summary>
    public Task Consume(ConsumeContext<ContactsMerged> context) =>
        Everywhere(context, context.Message.TenantId, context.Message.DuplicateId, "lead_merged", null, context.Message.SurvivorId.ToString(),
            context.Message.OccurredAt);

    public Task Consume(ConsumeContext<LeadsCommandFailed> context)
    {
        var m = context.Message;
        if (!m.RequestedBy.StartsWith("sequence:", StringComparison.Ordinal) || !Guid.TryParse(m.RequestedBy["sequence:".Length..], out var sequence) ||
            m.ContactId is not { } contact)
            return Task.CompletedTask;
        return store.AppendLogAsync(new SequenceLogEntry(Guid.CreateVersion7(), SequenceEnrollmentState.IdFor(m.TenantId, sequence, contact), sequence, contact,
            null, null, "action", m.Command, "failed", null, $"Leads refused {m.Command} ({m.Reason}): {m.Detail}", clock.GetUtcNow().UtcDateTime),
            context.CancellationToken);
    }

    /// <summary>Records the event on the sequence message it is about and tells its enrolment; false when the message is not a sequence's.</summary>
    async Task<bool> Mark(ConsumeContext context, Guid tenantId, Guid messageId, string column, string kind, DateTimeOffset at)
    {
        if (await store.MarkMessageAsync(messageId, column, at, context.CancellationToken) is not { } hit)
            return false;
        await context.Publish(new SequenceEngagement(tenantId, hit.EnrollmentId, kind, messageId, hit.First, null, at), context.CancellationToken);
        return true;
    }

    async Task Everywhere(ConsumeContext context, Guid tenantId, Guid contactId, string kind, Guid? messageId, string? detail, DateTimeOffset at)
    {
        foreach (var (enrollment, _) in await store.LiveEnrollmentsAsync(contactId, context.CancellationToken))
            await context.Publish(new SequenceEngagement(tenantId, enrollment, kind, messageId, true, detail, at), context.CancellationToken);
    }
}
