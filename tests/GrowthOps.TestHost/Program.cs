using GrowthOps.Messaging;
using GrowthOps.Messaging.Outbox;
using GrowthOps.Messaging.Sagas;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.TestHost;
using MassTransit;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults("testhost");
builder.AddPostgres("testhost", typeof(Program).Assembly);
builder.AddMessaging("testhost", x =>
{
    x.AddConsumer<OrderPlacedConsumer>();
    x.AddConsumer<PingConsumer>();
    x.AddConsumer<FlakyConsumer>();
    x.AddConsumer<SwallowingConsumer>();
    x.AddConsumer<RedeliveredConsumer>();
    x.AddSagaStateMachine<OrderStateMachine, OrderState>().PostgresRepository("testhost.order_state");
    x.AddConsumeObserver<DeliveryCounter>();
});
if (Environment.GetEnvironmentVariable("TESTHOST_RELAY_CRASH") == "1")
    builder.Services.AddSingleton<IOutboxRelayHook, CrashAfterFirstBatch>();

var app = builder.Build();
app.UseServiceDefaults();
app.MapOrdersApi();
app.MapRefusalsApi();

if (args.Contains("write"))
{
    // Crash test mode: commit N orders with their outbox rows (relay disabled by configuration), then die before delivery.
    await app.StartAsync();
    var count = int.Parse(args[Array.IndexOf(args, "write") + 1], System.Globalization.CultureInfo.InvariantCulture);
    var tenant = Guid.Parse(args[Array.IndexOf(args, "write") + 2]);
    for (var i = 0; i < count; i++)
    {
        await using var scope = app.Services.CreateAsyncScope();
        await OrdersApi.PlaceOrder(tenant, i + 1, scope.ServiceProvider.GetRequiredService<UnitOfWork>(),
            scope.ServiceProvider.GetRequiredService<IPublishEndpoint>(), CancellationToken.None);
    }

    Console.WriteLine($"committed {count}");
    Console.Out.Flush();
    if (args.Contains("--crash"))
        Environment.FailFast("crash test: killed after commit, before delivery");
    await app.StopAsync();
    return;
}

app.Run();

public partial class Program;

sealed class CrashAfterFirstBatch : IOutboxRelayHook
{
    public Task BatchSent(int count, CancellationToken cancellationToken)
    {
        Console.WriteLine($"relay sent {count}; crashing before delete");
        Console.Out.Flush();
        Environment.FailFast("crash test: relay killed after send, before delete");
        return Task.CompletedTask;
    }
}
