using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

public sealed class Surviving_a_saga_host_crash : IAsyncLifetime
{
    TestDatabase _db = null!;
    TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync("sagacrash");
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task A_saga_killed_between_steps_continues_after_restart_and_its_timeout_still_fires()
    {
        var tenant = Guid.NewGuid();
        var paid = NewId.NextGuid();
        var timesOut = NewId.NextGuid();
        var settings = TestHostSettings.For(_db, _vhost);

        await using var bus = await SenderBus.StartAsync(_vhost);
        await using (var first = ChildHost.Start(settings))
        {
            await first.WaitReadyAsync();
            await bus.Publish(new OrderSubmitted(tenant, paid, 3600, DateTimeOffset.UtcNow));
            await bus.Publish(new OrderSubmitted(tenant, timesOut, 4, DateTimeOffset.UtcNow));
            await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from testhost.order_state where current_state = 'AwaitingPayment'"),
                n => n == 2, because: "both sagas start");
            await first.KillAsync();
        }

        // Sent while no host runs: waits in the queue.
        await bus.Publish(new OrderPaid(tenant, paid, DateTimeOffset.UtcNow));

        await using var second = ChildHost.Start(settings);
        await second.WaitReadyAsync();
        await Eventually.Until(() => _db.ScalarAsync<string>("select current_state from testhost.order_state where correlation_id = $1", paid),
            s => s == "PaidState", because: "the saga continues in the restarted host");
        await Eventually.Until(() => _db.ScalarAsync<string>("select current_state from testhost.order_state where correlation_id = $1", timesOut),
            s => s == "TimedOut", TimeSpan.FromSeconds(30), "the timeout scheduled before the crash fires after it");
    }
}

/// <summary>A bare bus in the test process for sending into a virtual host while no test host runs.</summary>
sealed class SenderBus : IAsyncDisposable
{
    readonly IHost _host;

    SenderBus(IHost host) => _host = host;

    public static async Task<SenderBus> StartAsync(TestVirtualHost vhost)
    {
        var host = Host.CreateDefaultBuilder().ConfigureServices(services => services.AddMassTransit(x => x.UsingRabbitMq((_, cfg) =>
            cfg.Host(TestEnvironment.RabbitHost, TestEnvironment.RabbitPort, vhost.Name, h =>
            {
                h.Username(TestEnvironment.RabbitUser);
                h.Password(TestEnvironment.RabbitPassword);
            })))).Build();
        await host.StartAsync();
        return new SenderBus(host);
    }

    public Task Publish<T>(T message) where T : class => _host.Services.GetRequiredService<IBus>().Publish(message);

    public async ValueTask DisposeAsync()
    {
        await _host.StopAsync();
        _host.Dispose();
    }
}
