using GrowthOps.Cortex.Domain.Runs;
using MassTransit;

namespace GrowthOps.Cortex.Domain.Sequences;

/// <summary>
/// One lead's enrolment in one sequence (cortex.lead_sequence_state): where it is, when its next step is due, what it has sent
/// and what the lead did. <see cref="CurrentStepId"/> is the step to run next; <see cref="Reached"/> says whether its wait has
/// been set (then <see cref="NextActionAt"/> is when it runs).
/// </summary>
public sealed class SequenceEnrollmentState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }

    public Guid TenantId { get; set; }
    public Guid SequenceId { get; set; }
    public Guid ContactId { get; set; }
    public Guid? CampaignId { get; set; }
    public string? EnrolledBy { get; set; }

    /// <summary>How many times the lead was enrolled in this sequence (a re-enrolment starts the next).</summary>
    public int Generation { get; set; }

    public Guid? CurrentStepId { get; set; }
    public int CurrentStepOrder { get; set; }
    public bool Reached { get; set; }
    public bool SlotTaken { get; set; }
    public int Attempt { get; set; }
    public int StepsCompleted { get; set; }
    public DateTimeOffset? NextActionAt { get; set; }
    public Guid? StepTokenId { get; set; }

    /// <summary>The idempotency key of the email this enrolment waits the outcome of.</summary>
    public string? PendingSendKey { get; set; }
    public string? PendingVariant { get; set; }

    /// <summary>What the last advance ended in: wait, send, complete, stop or pause (which state follows).</summary>
    public string? Outcome { get; set; }

    public DateTimeOffset EnrolledAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
    public DateTimeOffset? StoppedAt { get; set; }
    public DateTimeOffset? PausedAt { get; set; }
    public string? PausedBy { get; set; }
    public string? PauseReason { get; set; }
    public string? StopReason { get; set; }
    public string? StoppedBy { get; set; }
    public DateTimeOffset? LastActivityAt { get; set; }
    public string? LastError { get; set; }

    public int EmailsSent { get; set; }
    public int EmailsOpened { get; set; }
    public int EmailsClicked { get; set; }
    public int EmailsReplied { get; set; }
    public bool Bounced { get; set; }
    public bool Unsubscribed { get; set; }
    public Guid? LastMessageId { get; set; }
    public bool LastOpened { get; set; }
    public bool LastClicked { get; set; }
    public bool LastReplied { get; set; }

    /// <summary>The enrolment of <paramref name="contactId"/> in <paramref name="sequenceId"/>: one per pair, ever.</summary>
    public static Guid IdFor(Guid tenantId, Guid sequenceId, Guid contactId) => ExecuteStep.Derive($"sequence/{tenantId:N}/{sequenceId:N}/{contactId:N}");
}

/// <summary>The enrolment's current step is due (scheduled by the saga on the durable scheduler).</summary>
public record SequenceStepDue(Guid TenantId, Guid EnrollmentId, int Generation);

/// <summary>Email's answer to a sequence's SendEmail (from EmailSent or EmailFailed), for its enrolment.</summary>
public record SequenceEmailOutcome(Guid TenantId, Guid EnrollmentId, string IdempotencyKey, Guid MessageId, bool Sent, string? Reason, string? Error,
    DateTimeOffset OccurredAt);

/// <summary>
/// Something the lead did that an enrolment counts or stops on: <see cref="Kind"/> opened, clicked, replied, bounced,
/// unsubscribed, meeting_booked, deal_created or lead_deleted. <see cref="First"/>: the first such event of that message (unique counts).
/// </summary>
public record SequenceEngagement(Guid TenantId, Guid EnrollmentId, string Kind, Guid? MessageId, bool First, string? Detail,
    DateTimeOffset OccurredAt);

/// <summary>Pause one enrolment (the API's pause-sequence, or its sequence being paused: <see cref="RequestedBy"/> <c>sequence</c>).</summary>
public record PauseSequence(Guid TenantId, Guid SequenceId, Guid ContactId, string? Reason, string RequestedBy, DateTimeOffset OccurredAt);

/// <summary>Resume a paused enrolment where it was (<see cref="OnlyPausedBy"/>: only if it was paused by that, e.g. its sequence).</summary>
public record ResumeSequence(Guid TenantId, Guid SequenceId, Guid ContactId, string RequestedBy, DateTimeOffset OccurredAt, string? OnlyPausedBy = null);
