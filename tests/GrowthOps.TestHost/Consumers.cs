using System.Collections.Concurrent;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.TestHost.Contracts;
using MassTransit;

namespace GrowthOps.TestHost;

public sealed class OrderPlacedConsumer(UnitOfWork unitOfWork) : IConsumer<OrderPlaced>
{
    public Task Consume(ConsumeContext<OrderPlaced> context) =>
        unitOfWork.Connection.ExecuteAsync(
            "insert into testhost.effects (tenant_id, order_id, message_id) values (@TenantId, @OrderId, @MessageId)",
            new { context.Message.TenantId, context.Message.OrderId, MessageId = context.MessageId!.Value }, unitOfWork.Transaction);
}

public sealed class PingConsumer(UnitOfWork unitOfWork) : IConsumer<Ping>
{
    public Task Consume(ConsumeContext<Ping> context) =>
        unitOfWork.Connection.ExecuteAsync("insert into testhost.pings (ping_id, due_at) values (@PingId, @DueAt)",
            new { context.Message.PingId, DueAt = context.Message.DueAt.UtcDateTime }, unitOfWork.Transaction);
}

/// <summary>Always fails, to follow a message through retries and redeliveries into the error queue.</summary>
public sealed class FlakyConsumer : IConsumer<Flaky>
{
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    public Task Consume(ConsumeContext<Flaky> context)
    {
        Attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        throw new InvalidOperationException("flaky consumer always fails");
    }
}

/// <summary>Counts every delivery that reaches the endpoint, before the inbox: what a duplicate firing would show.</summary>
public sealed class DeliveryCounter : IConsumeObserver
{
    public static readonly ConcurrentDictionary<Guid, int> Pings = new();

    public Task PreConsume<T>(ConsumeContext<T> context) where T : class
    {
        if (context.Message is Ping ping)
            Pings.AddOrUpdate(ping.PingId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task PostConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

    public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
}
