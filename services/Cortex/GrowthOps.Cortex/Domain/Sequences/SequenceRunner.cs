using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Contracts.Segments;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Domain.Sequences;

/// <summary>
/// What the enrolment saga does at each step (the seed's <c>enroll_lead_in_sequence</c>, <c>advance_to_next_step</c>,
/// <c>stop_lead_sequence</c> and step handlers). It reads the sequence and its steps as they are now (editing a sequence changes
/// the steps an enrolment has not reached), runs instant steps (conditions, actions) one after the other, and ends each
/// advance in <see cref="SequenceEnrollmentState.Outcome"/>: <c>wait</c> (until <see cref="SequenceEnrollmentState.NextActionAt"/>),
/// <c>send</c> (an email is out; its outcome continues), <c>complete</c>, <c>stop</c> or <c>pause</c>. Commands leave through
/// the outbox in the saga's transaction, their ids derived from the enrolment and step, so a redelivered message acts once.
/// </summary>
public sealed class SequenceRunner(SequencesStore store, NotificationsStore notifications, IOptions<CortexOptions> options,
    TimeProvider clock)
{
    public const string Wait = "wait";
    public const string Send = "send";
    public const string Complete = "complete";
    public const string Stop = "stop";
    public const string Pause = "pause";

    /// <summary>Instant steps run in one advance at most (a condition that loops back without a wait ends the enrolment).</summary>
    const int MaxInstantSteps = 100;

    public DateTimeOffset Now => clock.GetUtcNow();

    /// <summary>
    /// The seed's <c>enroll_lead_in_sequence</c>: a fresh enrolment (or a re-enrolment, the next generation) at the first step,
    /// which is then reached at once.
    /// </summary>
    public async Task EnrollAsync(SequenceEnrollmentState s, EnrollInSequence m, ConsumeContext context)
    {
        var now = Now;
        s.TenantId = m.TenantId;
        s.SequenceId = m.SequenceId;
        s.ContactId = m.ContactId;
        s.CampaignId = m.CampaignId;
        s.EnrolledBy = m.TriggeredBy;
        s.Generation++;
        s.CurrentStepId = null;
        s.CurrentStepOrder = 0;
        s.Reached = false;
        s.SlotTaken = false;
        s.Attempt = 0;
        s.StepsCompleted = 0;
        s.NextActionAt = null;
        s.PendingSendKey = null;
        s.PendingVariant = null;
        s.EnrolledAt = now;
        s.CompletedAt = s.StoppedAt = s.PausedAt = null;
        s.PausedBy = s.PauseReason = s.StopReason = s.StoppedBy = s.LastError = null;
        s.EmailsSent = s.EmailsOpened = s.EmailsClicked = s.EmailsReplied = 0;
        s.Bounced = s.Unsubscribed = s.LastOpened = s.LastClicked = s.LastReplied = false;
        s.LastMessageId = null;
        s.LastActivityAt = now;
        var (sequence, steps, contact) = await store.ForAdvanceAsync(s.SequenceId, s.ContactId, context.CancellationToken);
        await LogAsync(s, null, "enroll", "success", new { triggered_by = m.TriggeredBy, campaign_id = m.CampaignId, generation = s.Generation }, null,
            context.CancellationToken);
        if (steps.Count > 0)
            MoveTo(s, steps[0]);
        await RunAsync(s, sequence, steps, contact, context, now);
    }

    /// <summary>The seed's <c>advance_to_next_step</c>, on the step's due time (or a resume): runs what is due, ends in a wait, a send or the end.</summary>
    public async Task AdvanceAsync(SequenceEnrollmentState s, ConsumeContext context)
    {
        var (sequence, steps, contact) = await store.ForAdvanceAsync(s.SequenceId, s.ContactId, context.CancellationToken);
        await RunAsync(s, sequence, steps, contact, context, Now);
    }

    /// <summary>The seed's <c>stop_lead_sequence</c>: the enrolment ends with the reason (the saga cancels its timeout).</summary>
    public async Task StopAsync(SequenceEnrollmentState s, string reason, string by, CancellationToken ct)
    {
        s.Outcome = Stop;
        s.StopReason = reason;
        s.StoppedBy = by;
        s.StoppedAt = Now;
        s.NextActionAt = null;
        s.PendingSendKey = null;
        await LogAsync(s, null, "stop", "success", new { reason, requested_by = by }, null, ct);
    }

    public async Task PauseAsync(SequenceEnrollmentState s, PauseSequence m, CancellationToken ct)
    {
        s.Outcome = Pause;
        s.PausedAt = Now;
        s.PausedBy = m.RequestedBy;
        s.PauseReason = m.Reason;
        await LogAsync(s, null, "pause", "success", new { reason = m.Reason, requested_by = m.RequestedBy }, null, ct);
    }

    /// <summary>
    /// Continues a paused enrolment where it was: an email still out waits for its outcome, a due time still ahead stands, a due
    /// time that passed while paused runs now (into its window).
    /// </summary>
    public async Task ResumeAsync(SequenceEnrollmentState s, ResumeSequence m, ConsumeContext context)
    {
        await LogAsync(s, null, "resume", "success", new { requested_by = m.RequestedBy, paused_at = s.PausedAt }, null, context.CancellationToken);
        s.PausedAt = null;
        s.PausedBy = s.PauseReason = null;
        if (s.PendingSendKey is not null)
        {
            s.Outcome = Send;
            return;
        }

        if (s.Reached && s.NextActionAt is { } due && due > Now)
        {
            s.Outcome = Wait;
            return;
        }

        await AdvanceAsync(s, context);
    }

    /// <summary>Email's answer to the step's send. <paramref name="advance"/>: go on to the next step (not while paused).</summary>
    public async Task ApplyEmailOutcomeAsync(SequenceEnrollmentState s, SequenceEmailOutcome m, ConsumeContext context, bool advance)
    {
        var ct = context.CancellationToken;
        var (sequence, steps, contact) = await store.ForAdvanceAsync(s.SequenceId, s.ContactId, ct);
        var step = steps.FirstOrDefault(x => x.Id == s.CurrentStepId);
        s.PendingSendKey = null;
        if (!m.Sent)
        {
            s.LastError = m.Error ?? m.Reason;
            await LogAsync(s, step, "send_email", "failed", new { message_id = m.MessageId, reason = m.Reason }, m.Error ?? m.Reason, ct);
            await StopAsync(s, $"email_{m.Reason ?? "failed"}", "email", ct);
            return;
        }

        s.EmailsSent++;
        s.LastMessageId = m.MessageId;
        s.LastOpened = s.LastClicked = s.LastReplied = false;
        s.LastActivityAt = m.OccurredAt;
        await LogAsync(s, step, "send_email", "success", new { message_id = m.MessageId, variant = s.PendingVariant }, null, ct);
        s.PendingVariant = null;
        s.StepsCompleted++;
        if (!Follow(s, step, steps, StepTarget.Read(step?.Fields.NextStep) ?? new StepTarget(StepTarget.Continue, null)))
        {
            await FailAsync(s, step, "next_step names a step that does not exist", ct);
            return;
        }

        if (advance)
            await RunAsync(s, sequence, steps, contact, context, Now);
        else
            s.Outcome = Pause;
    }

    /// <summary>Counts what the lead did; returns the stop reason when a stop rule applies (replies mark the lead qualified).</summary>
    public async Task<string?> ApplyEngagementAsync(SequenceEnrollmentState s, SequenceEngagement m, ConsumeContext context, bool live)
    {
        var ct = context.CancellationToken;
        var last = m.MessageId is { } id && id == s.LastMessageId;
        s.LastActivityAt = m.OccurredAt > (s.LastActivityAt ?? DateTimeOffset.MinValue) ? m.OccurredAt : s.LastActivityAt;
        switch (m.Kind)
        {
            case "opened":
                if (m.First)
                    s.EmailsOpened++;
                s.LastOpened |= last;
                break;
            case "clicked":
                if (m.First)
                    s.EmailsClicked++;
                s.LastClicked |= last;
                break;
            case "replied":
                if (m.First)
                    s.EmailsReplied++;
                s.LastReplied |= last;
                break;
            case "bounced":
                s.Bounced = true;
                break;
            case "unsubscribed":
                s.Unsubscribed = true;
                break;
        }

        if (!live)
            return null;
        var sequence = await store.GetAsync(s.SequenceId, ct);
        var settings = sequence?.ParsedSettings ?? new SequenceSettings();
        var reason = m.Kind switch
        {
            "replied" when settings.StopOnReply => "replied",
            "bounced" when settings.StopOnBounce => "bounced",
            "unsubscribed" when settings.StopOnUnsubscribe => "unsubscribed",
            "meeting_booked" when settings.StopOnMeeting => "meeting_booked",
            "deal_created" when settings.StopOnDeal => "deal_created",
            "lead_deleted" or "lead_merged" => m.Kind,
            _ => null,
        };
        if (reason == "replied" && settings.QualifyOnReply)
            await context.Publish(new ChangeLeadState(s.TenantId, CommandId(s, "qualify-on-reply"), s.ContactId, null, RequestedBy(s), "qualified",
                $"Replied to sequence {sequence?.Name}", Now), ct);
        return reason;
    }

    async Task RunAsync(SequenceEnrollmentState s, Sequence? sequence, IReadOnlyList<SequenceStep> steps, ContactSnapshot? contact, ConsumeContext context,
        DateTimeOffset now)
    {
        var ct = context.CancellationToken;
        if (sequence is null || sequence.Status is "archived" or "draft")
        {
            // A draft is not enrolled in (the API refuses it; a workflow's add_to_sequence may still ask).
            await StopAsync(s, sequence is null ? "sequence_deleted" : sequence.Status == "draft" ? "sequence_not_active" : "sequence_archived", "sequence", ct);
            return;
        }

        if (sequence.Status == "paused")
        {
            await PauseAsync(s, new PauseSequence(s.TenantId, s.SequenceId, s.ContactId, "the sequence is paused", "sequence", now), ct);
            return;
        }

        var settings = sequence.ParsedSettings;

        for (var i = 0; i < MaxInstantSteps; i++)
        {
            var step = Current(s, steps);
            if (step is null)
            {
                s.Outcome = Complete;
                s.CompletedAt = now;
                s.NextActionAt = null;
                await LogAsync(s, null, "complete", "success", new { steps_completed = s.StepsCompleted }, null, ct);
                return;
            }

            var f = step.Fields;
            var zone = settings.ZoneFor(contact?.Timezone);
            if (!s.Reached)
            {
                s.Reached = true;
                var due = DueOf(step, f, settings, zone, now);
                if (due > now.AddMilliseconds(500))
                {
                    s.NextActionAt = due;
                    s.Outcome = Wait;
                    await LogAsync(s, step, step.StepType == "delay" ? "delay" : "wait", "waiting", new { until = due.UtcDateTime }, null, ct);
                    return;
                }
            }

            s.NextActionAt = null;
            switch (step.StepType)
            {
                case "delay":
                    await LogAsync(s, step, "delay", "success", null, null, ct);
                    s.StepsCompleted++;
                    break;
                case "email":
                {
                    if (!s.SlotTaken && await SendTimeAsync(settings, zone, now, ct) is { } at && at > now.AddMilliseconds(500))
                    {
                        s.SlotTaken = true;
                        s.NextActionAt = at;
                        s.Outcome = Wait;
                        await LogAsync(s, step, "send_window", "waiting", new { until = at.UtcDateTime }, null, ct);
                        return;
                    }

                    if (contact is null)
                    {
                        await FailAsync(s, step, "the lead is not known (deleted, or not yet in Cortex's copy of the contacts)", ct);
                        return;
                    }

                    await SendAsync(s, sequence, step, f, settings, context, now);
                    return;
                }
                case "condition":
                {
                    var (target, matched, stopReason, qualify) = Evaluate(s, f);
                    await LogAsync(s, step, "condition", "success", new { matched, target = target.Order?.ToString() ?? target.Kind }, null, ct);
                    s.StepsCompleted++;
                    if (target.Kind == StepTarget.Stop)
                    {
                        if (qualify)
                            await context.Publish(new ChangeLeadState(s.TenantId, CommandId(s, $"{step.Id}/qualify"), s.ContactId, null, RequestedBy(s),
                                "qualified", $"Sequence {sequence.Name}, step {step.StepOrder}", now), ct);
                        await StopAsync(s, stopReason ?? (qualify ? "qualified" : "condition"), $"step:{step.StepOrder}", ct);
                        return;
                    }

                    if (!Follow(s, step, steps, target))
                    {
                        await FailAsync(s, step, $"the condition goes to step {target.Order}, which does not exist", ct);
                        return;
                    }

                    continue;
                }
                case "action":
                {
                    var error = await ActAsync(s, sequence, step, f, contact, context, now);
                    await LogAsync(s, step, f.ActionType ?? "action", error is null ? "success" : "failed", f.ActionValue, error, ct);
                    s.StepsCompleted++;
                    break;
                }
            }

            if (!Follow(s, step, steps, StepTarget.Read(f.NextStep) ?? new StepTarget(StepTarget.Continue, null)))
            {
                await FailAsync(s, step, "next_step names a step that does not exist", ct);
                return;
            }
        }

        await FailAsync(s, Current(s, steps), $"more than {MaxInstantSteps} steps ran without a wait (a condition that loops back?)", ct);
    }

    static SequenceStep? Current(SequenceEnrollmentState s, IReadOnlyList<SequenceStep> steps) =>
        s.CurrentStepId is { } id ? steps.FirstOrDefault(x => x.Id == id) ?? steps.FirstOrDefault(x => x.StepOrder >= s.CurrentStepOrder && s.CurrentStepOrder > 0)
            : null;

    static void MoveTo(SequenceEnrollmentState s, SequenceStep? step)
    {
        s.CurrentStepId = step?.Id;
        s.CurrentStepOrder = step?.StepOrder ?? s.CurrentStepOrder + 1;
        s.Reached = false;
        s.SlotTaken = false;
        s.Attempt = 0;
        s.NextActionAt = null;
        if (step is null)
            s.CurrentStepId = null;
    }

    /// <summary>Moves past <paramref name="step"/> to the target; false when the target names a step that is not there.</summary>
    static bool Follow(SequenceEnrollmentState s, SequenceStep? step, IReadOnlyList<SequenceStep> steps, StepTarget target)
    {
        switch (target.Kind)
        {
            case StepTarget.Complete:
                MoveTo(s, null);
                s.CurrentStepOrder = int.MaxValue;
                return true;
            case StepTarget.Goto:
                var to = steps.FirstOrDefault(x => x.StepOrder == target.Order);
                if (to is null)
                    return false;
                MoveTo(s, to);
                return true;
            default:
                var order = step?.StepOrder ?? s.CurrentStepOrder;
                var next = steps.FirstOrDefault(x => x.StepOrder > order);
                MoveTo(s, next);
                if (next is null)
                    s.CurrentStepOrder = int.MaxValue;
                return true;
        }
    }

    /// <summary>When a step just reached runs: after its wait (scaled), at its send_time, inside business hours when asked.</summary>
    DateTimeOffset DueOf(SequenceStep step, StepFields f, SequenceSettings settings, TimeZoneInfo zone, DateTimeOffset now)
    {
        var due = now + f.Delay * options.Value.SequenceDelayScale;
        if (step.StepType == "delay" && f.SendTime is { } sendTime && TimeOnly.TryParse(sendTime, System.Globalization.CultureInfo.InvariantCulture, out var t))
            due = Delays.NextLocal(due, t, zone);
        if (f.BusinessHoursOnly == true || settings.BusinessHoursOnly == true)
        {
            var window = settings.BusinessHours ?? new TimeWindow();
            due = Delays.IntoWindow(due, window.Weekdays, window.StartTime, window.EndTime, zone);
        }

        return due;
    }

    /// <summary>When an email due now may go: into the send window, then the sender's next slot (stagger, daily limit); null: now.</summary>
    async Task<DateTimeOffset?> SendTimeAsync(SequenceSettings settings, TimeZoneInfo zone, DateTimeOffset now, CancellationToken ct)
    {
        var at = now;
        if (settings.SendWindow is { } w)
            at = Delays.IntoWindow(at, w.Weekdays, w.StartTime, w.EndTime, zone);
        if (settings.DailyLimit is null && settings.StaggerSeconds is null or 0)
            return at;
        var senderZone = settings.Zone;
        return await store.TakeSlotAsync(settings.Sender, at, TimeSpan.FromSeconds(settings.StaggerSeconds ?? 0), settings.DailyLimit, senderZone, slot =>
        {
            var nextDay = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(slot, senderZone).DateTime).AddDays(1);
            var start = Delays.Instant(nextDay.ToDateTime(TimeOnly.MinValue), senderZone);
            return settings.SendWindow is { } sw ? Delays.IntoWindow(start, sw.Weekdays, sw.StartTime, sw.EndTime, senderZone) : start;
        }, ct);
    }

    async Task SendAsync(SequenceEnrollmentState s, Sequence sequence, SequenceStep step, StepFields f, SequenceSettings settings, ConsumeContext context,
        DateTimeOffset now)
    {
        var variants = f.AllVariants;
        var chosen = AbSplit.ByWeight(variants.Select(v => (v.Name, v.Weight ?? 1)).ToList(),
            ExecuteStep.Unit($"{s.CorrelationId:N}/{s.Generation}/{step.Id:N}/variant"));
        var variant = variants.First(v => v.Name == chosen);
        var subject = variant.Subject ?? f.Subject;
        var body = variant.Body ?? f.Body;
        var key = SequenceKeys.Send(s.CorrelationId, s.Generation, step.Id, variant.Name, s.Attempt);
        var (html, text) = Content(body);
        var merge = new Dictionary<string, JsonElement>
        {
            ["sequence_name"] = JsonSerializer.SerializeToElement(sequence.Name),
            ["step_order"] = JsonSerializer.SerializeToElement(step.StepOrder),
            ["variant"] = JsonSerializer.SerializeToElement(variant.Name),
        };
        await context.Publish(new SendEmail(s.TenantId, key, s.ContactId, null, f.TemplateId, f.TemplateId is null ? subject : null,
            f.TemplateId is null ? html : null, f.TemplateId is null ? text : null, merge, "marketing", false, RequestedBy(s), s.CorrelationId, now,
            settings.FromEmail, settings.ReplyTo), context.CancellationToken);
        s.PendingSendKey = key;
        s.PendingVariant = variant.Name;
        s.Outcome = Send;
        await LogAsync(s, step, "send_email", "waiting", new { idempotency_key = key, variant = variant.Name }, null, context.CancellationToken);
    }

    /// <summary>A body with markup goes as HTML (text derived by Email); plain text goes as text, and as HTML with its line breaks kept.</summary>
    static (string? Html, string? Text) Content(string? body)
    {
        if (body is null)
            return (null, null);
        if (body.Contains('<') && body.Contains('>'))
            return (body, null);
        var paragraphs = WebUtility.HtmlEncode(body).Replace("\r\n", "\n", StringComparison.Ordinal).Replace("\n", "<br>\n", StringComparison.Ordinal);
        return ($"<p>{paragraphs}</p>", body);
    }

    public static bool Holds(string condition, SequenceEnrollmentState s) => condition switch
    {
        "if_replied" => s.EmailsReplied > 0,
        "if_not_replied" => s.EmailsReplied == 0,
        "if_opened" => s.EmailsOpened > 0,
        "if_not_opened" => s.EmailsOpened == 0,
        "if_clicked" => s.EmailsClicked > 0,
        "if_bounced" => s.Bounced,
        "if_unsubscribed" => s.Unsubscribed,
        "always" => true,
        _ => false,
    };

    /// <summary>The branches in order, then the step's own conditions (OR) with then/else.</summary>
    static (StepTarget Target, string Matched, string? StopReason, bool Qualify) Evaluate(SequenceEnrollmentState s, StepFields f)
    {
        foreach (var b in f.Branches ?? [])
            if ((b.Conditions ?? []).FirstOrDefault(c => Holds(c, s)) is { } hit)
                return (StepTarget.Read(b.Goto) ?? new StepTarget(StepTarget.Continue, null), hit, b.StopReason ?? f.StopReason, b.MarkQualified ?? f.MarkQualified ?? false);
        var own = (f.Conditions ?? []).Concat(f.ConditionType is null ? [] : [f.ConditionType]).ToList();
        if (own.Count > 0 && own.FirstOrDefault(c => Holds(c, s)) is { } held)
            return (StepTarget.Read(f.Then) ?? new StepTarget(StepTarget.Continue, null), held, f.StopReason, f.MarkQualified ?? false);
        return (StepTarget.Read(f.Else) ?? new StepTarget(StepTarget.Continue, null), "else", f.StopReason, f.MarkQualified ?? false);
    }

    /// <summary>Runs an action step; returns why it could not (logged, and the sequence goes on), or null.</summary>
    async Task<string?> ActAsync(SequenceEnrollmentState s, Sequence sequence, SequenceStep step, StepFields f, ContactSnapshot? contact, ConsumeContext context,
        DateTimeOffset now)
    {
        var ct = context.CancellationToken;
        var v = f.ActionValue is { ValueKind: JsonValueKind.Object } o ? o : JsonSerializer.SerializeToElement(new { });
        string? S(string name) => v.TryGetProperty(name, out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var by = RequestedBy(s);
        Guid Id(string what) => CommandId(s, $"{step.Id:N}/{what}");
        var notes = $"Sequence {sequence.Name}, step {step.StepOrder}";
        switch (f.ActionType)
        {
            case "update_status":
                await context.Publish(new ChangeLeadState(s.TenantId, Id("status"), s.ContactId, null, by, S("status")!, S("notes") ?? notes, now), ct);
                return null;
            case "mark_qualified":
                await context.Publish(new ChangeLeadState(s.TenantId, Id("qualified"), s.ContactId, null, by, "qualified", S("notes") ?? notes, now), ct);
                return null;
            case "tag_lead":
                foreach (var tag in SequenceCatalog.TagsOf(v, "tags").Distinct(StringComparer.Ordinal))
                    await context.Publish(new AddTag(s.TenantId, Id($"tag/{tag}"), s.ContactId, null, by, tag, now), ct);
                foreach (var tag in SequenceCatalog.TagsOf(v, "remove_tags").Distinct(StringComparer.Ordinal))
                    await context.Publish(new RemoveTag(s.TenantId, Id($"untag/{tag}"), s.ContactId, null, by, tag, now), ct);
                return null;
            case "assign_to_user":
                await context.Publish(new AssignOwner(s.TenantId, Id("owner"), s.ContactId, null, by, null, S("user_id") ?? S("owner_id"), S("group"), now), ct);
                return null;
            case "notify_user":
            {
                var user = S("user_id") ?? contact?.OwnerId;
                if (string.IsNullOrWhiteSpace(user))
                    return "notify_user needs action_value.user_id or a lead with an owner";
                var name = contact is null ? "a lead" : string.Join(' ', new[] { contact.FirstName, contact.LastName }.Where(n => !string.IsNullOrWhiteSpace(n)))
                    is { Length: > 0 } n ? n : contact.Email ?? "a lead";
                await notifications.AddAsync(new Notification(Id("notify"), user, S("title") ?? $"{sequence.Name}: {name}", S("message") ?? S("body") ?? notes,
                    null, null, null, s.ContactId, now.UtcDateTime, null), ct);
                return null;
            }
            case "add_to_campaign":
            {
                var into = Guid.Parse(S("campaign_id")!);
                await context.Publish(new AddToSegment(s.TenantId, Id("campaign"), into, s.ContactId, by, now), ct);
                if (Guid.TryParse(S("remove_from_campaign_id"), out var from))
                    await context.Publish(new RemoveFromSegment(s.TenantId, Id("uncampaign"), from, s.ContactId, by, now), ct);
                return null;
            }
            default:
                return $"unknown action {f.ActionType}";
        }
    }

    async Task FailAsync(SequenceEnrollmentState s, SequenceStep? step, string error, CancellationToken ct)
    {
        s.LastError = error;
        await LogAsync(s, step, step?.StepType ?? "advance", "failed", null, error, ct);
        await StopAsync(s, "error", "sequence", ct);
    }

    public static string RequestedBy(SequenceEnrollmentState s) => $"sequence:{s.SequenceId}";

    static Guid CommandId(SequenceEnrollmentState s, string what) => ExecuteStep.Derive($"sequence-command/{s.CorrelationId:N}/{s.Generation}/{what}");

    Task LogAsync(SequenceEnrollmentState s, SequenceStep? step, string action, string outcome, object? detail, string? error, CancellationToken ct) =>
        store.AppendLogAsync(new SequenceLogEntry(Guid.CreateVersion7(), s.CorrelationId, s.SequenceId, s.ContactId, step?.Id, step?.StepOrder, step?.StepType,
            action, outcome, detail is null ? null : detail as JsonElement? ?? JsonSerializer.SerializeToElement(detail, SequenceJson.Options), error,
            Now.UtcDateTime), ct);
}

/// <summary>
/// A sequence send's idempotency key, <c>sequence:&lt;enrolment&gt;:&lt;generation&gt;:step:&lt;step&gt;:variant:&lt;name&gt;:attempt:&lt;n&gt;</c>:
/// one send per enrolment × step × attempt, and Email's outcome events carry it back with what the analytics need.
/// </summary>
public static class SequenceKeys
{
    public const string Prefix = "sequence:";

    public static string Send(Guid enrollment, int generation, Guid step, string variant, int attempt) =>
        $"{Prefix}{enrollment:N}:{generation}:step:{step:N}:variant:{variant}:attempt:{attempt}";

    public static (Guid Enrollment, Guid Step, string Variant)? Read(string? key)
    {
        var parts = key?.Split(':');
        return parts is { Length: 9 } && parts[0] == "sequence" && parts[3] == "step" && parts[5] == "variant" && Guid.TryParse(parts[1], out var enrollment) &&
               Guid.TryParse(parts[4], out var step)
            ? (enrollment, step, parts[6])
            : null;
    }
}
