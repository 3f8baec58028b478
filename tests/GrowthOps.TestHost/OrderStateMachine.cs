using GrowthOps.TestHost.Contracts;
using MassTransit;

namespace GrowthOps.TestHost;

public sealed class OrderState : SagaStateMachineInstance, ISagaVersion
{
    public Guid CorrelationId { get; set; }
    public string? CurrentState { get; set; }
    public int Version { get; set; }
    public Guid TenantId { get; set; }
    public int Submissions { get; set; }
    public int Items { get; set; }
    public Guid? PaymentTimeoutTokenId { get; set; }
}

public sealed class OrderStateMachine : MassTransitStateMachine<OrderState>
{
    public OrderStateMachine()
    {
        InstanceState(x => x.CurrentState);
        Event(() => Submitted, x =>
        {
            x.CorrelateById(m => m.Message.OrderId);
            x.InsertOnInitial = true;
            x.SetSagaFactory(c => new OrderState { CorrelationId = c.Message.OrderId, TenantId = c.Message.TenantId });
        });
        Event(() => ItemAddedEvent, x => x.CorrelateById(m => m.Message.OrderId));
        Event(() => Paid, x => x.CorrelateById(m => m.Message.OrderId));
        Schedule(() => PaymentTimeout, x => x.PaymentTimeoutTokenId, s => s.Received = r => r.CorrelateById(m => m.Message.OrderId));

        Initially(
            When(Submitted)
                .Then(c => c.Saga.Submissions++)
                .Schedule(PaymentTimeout, c => new PaymentTimeoutExpired(c.Saga.TenantId, c.Saga.CorrelationId, DateTimeOffset.UtcNow),
                    c => TimeSpan.FromSeconds(c.Message.TimeoutSeconds))
                .TransitionTo(AwaitingPayment));

        During(AwaitingPayment,
            When(Submitted).Then(c => c.Saga.Submissions++),
            When(ItemAddedEvent).Then(c => c.Saga.Items++),
            When(Paid).Unschedule(PaymentTimeout).TransitionTo(PaidState),
            When(PaymentTimeout.Received).TransitionTo(TimedOut));

        During(PaidState,
            When(Submitted).Then(c => c.Saga.Submissions++),
            When(ItemAddedEvent).Then(c => c.Saga.Items++),
            Ignore(PaymentTimeout.Received));

        During(TimedOut, Ignore(Submitted), Ignore(ItemAddedEvent), Ignore(Paid));
    }

    public State AwaitingPayment { get; private set; } = null!;
    public State PaidState { get; private set; } = null!;
    public State TimedOut { get; private set; } = null!;
    public Event<OrderSubmitted> Submitted { get; private set; } = null!;
    public Event<ItemAdded> ItemAddedEvent { get; private set; } = null!;
    public Event<OrderPaid> Paid { get; private set; } = null!;
    public Schedule<OrderState, PaymentTimeoutExpired> PaymentTimeout { get; private set; } = null!;
}
