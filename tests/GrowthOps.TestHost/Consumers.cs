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

/// <summary>
/// On its first attempt it writes its effect, then catches the error of a failing statement and carries on — a bug a real
/// consumer could have. The transaction is aborted then: the attempt must fail, not be acknowledged with nothing committed.
/// </summary>
public sealed class SwallowingConsumer(UnitOfWork unitOfWork) : IConsumer<Swallow>
{
    public static readonly ConcurrentDictionary<Guid, int> Attempts = new();

    public async Task Consume(ConsumeContext<Swallow> context)
    {
        var attempt = Attempts.AddOrUpdate(context.Message.Id, 1, (_, n) => n + 1);
        await unitOfWork.Connection.ExecuteAsync(
            "insert into testhost.effects (tenant_id, order_id, message_id) values (@TenantId, @Id, @MessageId)",
            new { context.Message.TenantId, context.Message.Id, MessageId = context.MessageId!.Value }, unitOfWork.Transaction);
        if (attempt > 1)
            return;
        try
        {
            await unitOfWork.Connection.ExecuteAsync("select 1 / 0", transaction: unitOfWork.Transaction);
        }
        catch (Npgsql.PostgresException)
        {
            // Swallowed on purpose (see the summary).
        }
    }
}

/// <summary>Fails every attempt of the first delivery (immediate retries included), then succeeds on the scheduled redelivery.</summary>
public sealed class RedeliveredConsumer : IConsumer<Redelivered>
{
    public static readonly ConcurrentDictionary<Guid, ConcurrentQueue<Guid>> MessageIds = new();

    public Task Consume(ConsumeContext<Redelivered> context)
    {
        var ids = MessageIds.GetOrAdd(context.Message.Id, _ => new ConcurrentQueue<Guid>());
        ids.Enqueue(context.MessageId!.Value);
        if (context.GetRedeliveryCount() == 0)
            throw new InvalidOperationException("fails until redelivered");
        return Task.CompletedTask;
    }
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
