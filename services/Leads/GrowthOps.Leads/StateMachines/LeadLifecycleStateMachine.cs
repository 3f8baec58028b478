using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using MassTransit;

namespace GrowthOps.Leads.StateMachines;

/// <summary>
/// The lead lifecycle: active while there is activity; after the tenant's dormancy period without any it moves the lead
/// to <c>dormant</c> through the state engine (a system transition: same validation, same history); new activity
/// reactivates it (dormant → contacted); won/lost close it, and reopening a closed lead makes it active again.
/// Runs behind the inbox on the PostgreSQL saga repository and the durable scheduler, so duplicates and restarts
/// change nothing.
/// </summary>
public sealed class LeadLifecycleStateMachine : MassTransitStateMachine<LeadLifecycleState>
{
    public LeadLifecycleStateMachine(ILogger<LeadLifecycleStateMachine> logger)
    {
        InstanceState(x => x.CurrentState);

        Event(() => Created, x => Start(x, m => m.Message.Contact.Id, m => m.Message.TenantId));
        Event(() => Activity, x => Start(x, m => m.Message.ContactId, m => m.Message.TenantId));
        Event(() => StateChanged, x => Start(x, m => m.Message.ContactId, m => m.Message.TenantId));
        Event(() => Deleted, x => x.CorrelateById(m => m.Message.ContactId));
        // The duplicate's lifecycle ends with it; the survivor's goes on (the survivor's own events keep it).
        Event(() => Merged, x =>
        {
            x.CorrelateById(m => m.Message.DuplicateId);
            x.OnMissingInstance(m => m.Discard());
        });
        Schedule(() => DormancyTimeout, x => x.DormancyTimeoutTokenId, s =>
        {
            s.Delay = LeadsDefaults.DormancyPeriod;
            s.Received = r => r.CorrelateById(m => m.Message.ContactId);
        });

        Initially(
            When(Created, c => IsClosing(c.Message.Contact.LeadState)).TransitionTo(Closed),
            KeepAlive(When(Created, c => !IsClosing(c.Message.Contact.LeadState)).Then(c => c.Saga.LastActivityAt = c.Message.OccurredAt)).TransitionTo(Active),
            KeepAlive(When(Activity).Then(c => c.Saga.LastActivityAt = c.Message.OccurredAt)).TransitionTo(Active),
            When(StateChanged, c => IsClosing(c.Message.ToState)).TransitionTo(Closed),
            When(StateChanged, c => c.Message.ToState == LeadStateNames.Dormant).TransitionTo(Dormant),
            KeepAlive(When(StateChanged, IsOpenState)).TransitionTo(Active),
            Ignore(Deleted));

        During(Active,
            Ignore(Created),
            KeepAlive(When(Activity).Then(c => Touch(c.Saga, c.Message.OccurredAt))),
            When(StateChanged, c => IsClosing(c.Message.ToState)).Unschedule(DormancyTimeout).TransitionTo(Closed),
            When(StateChanged, c => c.Message.ToState == LeadStateNames.Dormant).Unschedule(DormancyTimeout).TransitionTo(Dormant),
            // Moving an active lead along its pipeline is not activity of the lead's own: the timeout stands (and a hot
            // pipeline does not pay two scheduler messages per transition).
            Ignore(StateChanged, IsOpenState),
            When(DormancyTimeout.Received)
                .ThenAsync(async c =>
                {
                    if (await Move(c, LeadStateNames.Dormant, "No activity within the dormancy period", logger))
                    {
                        c.Saga.TimesWentDormant++;
                        await c.Publish(new LeadWentDormant(c.Saga.TenantId, c.Saga.CorrelationId, c.Saga.LastActivityAt, DateTimeOffset.UtcNow));
                    }
                })
                .TransitionTo(Dormant));

        During(Dormant,
            Ignore(Created),
            Ignore(DormancyTimeout.Received),
            KeepAlive(When(Activity)
                .Then(c => Touch(c.Saga, c.Message.OccurredAt))
                .ThenAsync(async c =>
                {
                    if (await Move(c, LeadStateNames.Contacted, "Reactivated by new activity", logger))
                        c.Saga.TimesReactivated++;
                }))
                .TransitionTo(Active),
            When(StateChanged, c => IsClosing(c.Message.ToState)).TransitionTo(Closed),
            KeepAlive(When(StateChanged, IsOpenState)).TransitionTo(Active));

        During(Closed,
            Ignore(Created),
            Ignore(Activity),
            Ignore(DormancyTimeout.Received),
            KeepAlive(When(StateChanged, IsOpenState)).TransitionTo(Active));

        DuringAny(When(Deleted).Unschedule(DormancyTimeout).Finalize());
        DuringAny(When(Merged).Unschedule(DormancyTimeout).Finalize());
        SetCompletedWhenFinalized();
    }

    public State Active { get; private set; } = null!;
    public State Dormant { get; private set; } = null!;
    public State Closed { get; private set; } = null!;

    public Event<ContactCreated> Created { get; private set; } = null!;
    public Event<ActivityRecorded> Activity { get; private set; } = null!;
    public Event<LeadStateChanged> StateChanged { get; private set; } = null!;
    public Event<ContactDeleted> Deleted { get; private set; } = null!;
    public Event<ContactsMerged> Merged { get; private set; } = null!;
    public Schedule<LeadLifecycleState, LeadDormancyTimeout> DormancyTimeout { get; private set; } = null!;

    // Each event has exactly one matching branch per state: MassTransit runs every When whose filter passes.
    static bool IsClosing(string? state) => state is LeadStateNames.Won or LeadStateNames.Lost;

    static bool IsOpenState(BehaviorContext<LeadLifecycleState, LeadStateChanged> c) => IsOpen(c.Message.ToState);

    /// <summary>A state that is neither closing nor dormant: a pipeline move (see <see cref="LeadLifecyclePrecheck"/>).</summary>
    public static bool IsOpen(string? state) => !IsClosing(state) && state != LeadStateNames.Dormant;

    static void Touch(LeadLifecycleState saga, DateTimeOffset at)
    {
        if (saga.LastActivityAt is null || at > saga.LastActivityAt)
            saga.LastActivityAt = at;
    }

    /// <summary>Every event an instance can start from creates it the same way (insert-on-initial: concurrent first events make one).</summary>
    static void Start<T>(IEventCorrelationConfigurator<LeadLifecycleState, T> x, Func<ConsumeContext<T>, Guid> contactId,
        Func<ConsumeContext<T>, Guid> tenantId)
        where T : class
    {
        x.CorrelateById(contactId);
        x.InsertOnInitial = true;
        x.SetSagaFactory(c => new LeadLifecycleState { CorrelationId = contactId(c), TenantId = tenantId(c) });
    }

    /// <summary>(Re)schedules the dormancy timeout for the tenant's current period, counted from now (replacing a pending one).</summary>
    EventActivityBinder<LeadLifecycleState, T> KeepAlive<T>(EventActivityBinder<LeadLifecycleState, T> binder)
        where T : class =>
        binder
            .ThenAsync(async c =>
            {
                var tx = c.GetServiceOrCreateInstance<LeadsTransaction>();
                var period = await tx.RunAsync(() => c.GetServiceOrCreateInstance<SettingsStore>().GetDormancyPeriodAsync(c.CancellationToken),
                    c.CancellationToken);
                c.Saga.DormancyPeriodSeconds = period.TotalSeconds;
            })
            .Schedule(DormancyTimeout, c => new LeadDormancyTimeout(c.Saga.TenantId, c.Saga.CorrelationId, DateTimeOffset.UtcNow),
                c => TimeSpan.FromSeconds(c.Saga.DormancyPeriodSeconds));

    /// <summary>A system transition through the engine; a refusal (the tenant removed the transition, the contact is gone) is logged, not retried.</summary>
    static async Task<bool> Move<T>(BehaviorContext<LeadLifecycleState, T> context, string toState, string notes, ILogger logger)
        where T : class
    {
        try
        {
            var tx = context.GetServiceOrCreateInstance<LeadsTransaction>();
            await tx.RunAsync(() => context.GetServiceOrCreateInstance<LeadStateEngine>().TransitionAsync(
                new LeadStateEngine.Request(context.Saga.CorrelationId, toState, null, notes, TriggeredByFormats.LeadLifecycle, TransitionSources.System),
                context.CancellationToken), context.CancellationToken);
            return true;
        }
        catch (DomainException refusal)
        {
            logger.LogInformation("Lifecycle could not move contact {ContactId} to {State}: {Reason}", context.Saga.CorrelationId, toState,
                refusal.Message);
            return false;
        }
    }
}
