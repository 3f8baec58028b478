using GrowthOps.Contracts.Cortex;
using MassTransit;

namespace GrowthOps.Cortex.Domain.Sequences;

/// <summary>
/// One lead's way through one sequence: <c>Waiting</c> for a step's time (a timeout on the durable scheduler), <c>Sending</c>
/// (an email is out; Email's outcome continues it), <c>Paused</c>, and at the end <c>Completed</c> or <c>Stopped</c> (with the
/// reason). Replies, bounces, unsubscribes, meetings and deals stop it in any live state — a pending timeout is cancelled.
/// Runs behind the inbox on the PostgreSQL saga repository, so duplicates, restarts and replicas change nothing: each step's
/// SendEmail carries an idempotency key per enrolment × step × attempt.
/// </summary>
public sealed class SequenceEnrollmentStateMachine : MassTransitStateMachine<SequenceEnrollmentState>
{
    public SequenceEnrollmentStateMachine()
    {
        InstanceState(x => x.CurrentState);

        Event(() => Enroll, x =>
        {
            x.CorrelateById(m => SequenceEnrollmentState.IdFor(m.Message.TenantId, m.Message.SequenceId, m.Message.ContactId));
            x.InsertOnInitial = true;
            x.SetSagaFactory(c => new SequenceEnrollmentState
            {
                CorrelationId = SequenceEnrollmentState.IdFor(c.Message.TenantId, c.Message.SequenceId, c.Message.ContactId), TenantId = c.Message.TenantId,
                SequenceId = c.Message.SequenceId, ContactId = c.Message.ContactId,
            });
        });
        Event(() => StopRequested, x => ByLeadAndSequence(x, m => (m.TenantId, m.SequenceId, m.ContactId)));
        Event(() => PauseRequested, x => ByLeadAndSequence(x, m => (m.TenantId, m.SequenceId, m.ContactId)));
        Event(() => ResumeRequested, x => ByLeadAndSequence(x, m => (m.TenantId, m.SequenceId, m.ContactId)));
        Event(() => EmailOutcome, x =>
        {
            x.CorrelateById(m => m.Message.EnrollmentId);
            x.OnMissingInstance(m => m.Discard());
        });
        Event(() => Engagement, x =>
        {
            x.CorrelateById(m => m.Message.EnrollmentId);
            x.OnMissingInstance(m => m.Discard());
        });
        Schedule(() => StepDue, x => x.StepTokenId, s =>
        {
            s.Delay = TimeSpan.FromMinutes(1);
            s.Received = r =>
            {
                r.CorrelateById(m => m.Message.EnrollmentId);
                r.OnMissingInstance(m => m.Discard());
            };
        });

        Initially(
            Proceed(When(Enroll).ThenAsync(c => Runner(c).EnrollAsync(c.Saga, c.Message, c))));

        During(Waiting,
            Ignore(Enroll),
            Proceed(When(StepDue.Received).ThenAsync(c => Runner(c).AdvanceAsync(c.Saga, c))),
            Ignore(EmailOutcome));

        During(Sending,
            Ignore(Enroll),
            Ignore(StepDue.AnyReceived),
            Proceed(When(EmailOutcome, c => c.Message.IdempotencyKey == c.Saga.PendingSendKey)
                .ThenAsync(c => Runner(c).ApplyEmailOutcomeAsync(c.Saga, c.Message, c, advance: true))),
            When(EmailOutcome, c => c.Message.IdempotencyKey != c.Saga.PendingSendKey).Then(_ => { }));

        During(Paused,
            Ignore(Enroll),
            Ignore(StepDue.AnyReceived),
            Ignore(PauseRequested),
            // An email that was out when the enrolment paused is counted; the enrolment resumes after it.
            When(EmailOutcome, c => c.Message.IdempotencyKey == c.Saga.PendingSendKey)
                .ThenAsync(c => Runner(c).ApplyEmailOutcomeAsync(c.Saga, c.Message, c, advance: false))
                .If(c => c.Saga.Outcome == SequenceRunner.Stop, b => b.TransitionTo(Stopped)),
            When(EmailOutcome, c => c.Message.IdempotencyKey != c.Saga.PendingSendKey).Then(_ => { }),
            Proceed(When(ResumeRequested, c => c.Message.OnlyPausedBy is null || c.Message.OnlyPausedBy == c.Saga.PausedBy)
                .ThenAsync(c => Runner(c).ResumeAsync(c.Saga, c.Message, c))),
            When(ResumeRequested, c => c.Message.OnlyPausedBy is not null && c.Message.OnlyPausedBy != c.Saga.PausedBy).Then(_ => { }));

        During(Waiting, Sending,
            When(PauseRequested).ThenAsync(c => Runner(c).PauseAsync(c.Saga, c.Message, c.CancellationToken)).Unschedule(StepDue).TransitionTo(Paused),
            Ignore(ResumeRequested));

        During(Waiting, Sending, Paused,
            When(StopRequested).ThenAsync(c => Runner(c).StopAsync(c.Saga, c.Message.Reason, c.Message.RequestedBy, c.CancellationToken))
                .Unschedule(StepDue).TransitionTo(Stopped),
            When(Engagement).ThenAsync(async c =>
                {
                    if (await Runner(c).ApplyEngagementAsync(c.Saga, c.Message, c, live: true) is { } reason)
                        await Runner(c).StopAsync(c.Saga, reason, c.Message.Kind, c.CancellationToken);
                    else
                        c.Saga.Outcome = null;
                })
                .If(c => c.Saga.Outcome == SequenceRunner.Stop, b => b.Unschedule(StepDue).TransitionTo(Stopped)));

        During(Completed, Stopped,
            Proceed(When(Enroll, c => c.Message.Reenroll).ThenAsync(c => Runner(c).EnrollAsync(c.Saga, c.Message, c))),
            When(Enroll, c => !c.Message.Reenroll).Then(_ => { }),
            // Late opens and clicks still count for the analytics; nothing restarts.
            When(Engagement).ThenAsync(c => Runner(c).ApplyEngagementAsync(c.Saga, c.Message, c, live: false)),
            Ignore(StepDue.AnyReceived),
            Ignore(EmailOutcome),
            Ignore(StopRequested),
            Ignore(PauseRequested),
            Ignore(ResumeRequested));
    }

    public State Waiting { get; private set; } = null!;
    public State Sending { get; private set; } = null!;
    public State Paused { get; private set; } = null!;
    public State Completed { get; private set; } = null!;
    public State Stopped { get; private set; } = null!;

    public Event<EnrollInSequence> Enroll { get; private set; } = null!;
    public Event<StopSequence> StopRequested { get; private set; } = null!;
    public Event<PauseSequence> PauseRequested { get; private set; } = null!;
    public Event<ResumeSequence> ResumeRequested { get; private set; } = null!;
    public Event<SequenceEmailOutcome> EmailOutcome { get; private set; } = null!;
    public Event<SequenceEngagement> Engagement { get; private set; } = null!;
    public Schedule<SequenceEnrollmentState, SequenceStepDue> StepDue { get; private set; } = null!;

    /// <summary>A control command finds its enrolment by (tenant, sequence, lead); none there: nothing to control.</summary>
    static void ByLeadAndSequence<T>(IEventCorrelationConfigurator<SequenceEnrollmentState, T> x, Func<T, (Guid Tenant, Guid Sequence, Guid Contact)> key)
        where T : class
    {
        x.CorrelateById(m => key(m.Message) is var (tenant, sequence, contact) ? SequenceEnrollmentState.IdFor(tenant, sequence, contact) : Guid.Empty);
        x.OnMissingInstance(m => m.Discard());
    }

    static SequenceRunner Runner<T>(BehaviorContext<SequenceEnrollmentState, T> c) where T : class => c.GetServiceOrCreateInstance<SequenceRunner>();

    /// <summary>The state an advance ended in, with the step's timeout (re)scheduled for a wait.</summary>
    EventActivityBinder<SequenceEnrollmentState, T> Proceed<T>(EventActivityBinder<SequenceEnrollmentState, T> binder) where T : class =>
        binder
            .If(c => c.Saga.Outcome == SequenceRunner.Wait, b => b
                .Schedule(StepDue, c => new SequenceStepDue(c.Saga.TenantId, c.Saga.CorrelationId, c.Saga.Generation),
                    c => c.Saga.NextActionAt!.Value.UtcDateTime)
                .TransitionTo(Waiting))
            .If(c => c.Saga.Outcome == SequenceRunner.Send, b => b.Unschedule(StepDue).TransitionTo(Sending))
            .If(c => c.Saga.Outcome == SequenceRunner.Pause, b => b.Unschedule(StepDue).TransitionTo(Paused))
            .If(c => c.Saga.Outcome == SequenceRunner.Complete, b => b.Unschedule(StepDue).TransitionTo(Completed))
            .If(c => c.Saga.Outcome == SequenceRunner.Stop, b => b.Unschedule(StepDue).TransitionTo(Stopped));
}
