using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using GrowthOps.TestHost;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

/// <summary>Faults that used to lose messages or stop delivery: the scheduler's store failing, one endpoint down, swallowed errors, savepoints.</summary>
public sealed class Riding_out_faults() : TestHostTests("faults")
{
    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Messaging:SchedulerRetryMinInterval"] = "00:00:00.200",
        ["Messaging:SchedulerRetryMaxInterval"] = "00:00:01",
    };

    [Fact]
    public async Task A_schedule_command_that_cannot_be_stored_waits_for_the_database_instead_of_going_to_the_error_queue()
    {
        // The scheduler's table disappears for a few seconds, as it does for every statement during a database restart.
        await Db.ScalarAsync<int>("alter table testhost.scheduled_message rename to scheduled_message_away");
        var due = DateTime.UtcNow.AddSeconds(1);
        ScheduledMessage<Ping> ping;
        try
        {
            ping = await App.Bus.CreateMessageScheduler(new Uri("queue:testhost-scheduler"))
                .ScheduleSend(new Uri("queue:testhost-ping"), due, new Ping(Guid.NewGuid(), due));
            await Eventually.Until(() => Vhost.ReadyMessagesAsync("testhost-scheduler"), n => n is null or 0, TimeSpan.FromSeconds(10),
                "the command is taken from its queue");
            await Task.Delay(TimeSpan.FromSeconds(2)); // the outage itself, not synchronisation
        }
        finally
        {
            await Db.ScalarAsync<int>("alter table testhost.scheduled_message_away rename to scheduled_message");
        }

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", ping.Payload.PingId), n => n == 1,
            TimeSpan.FromSeconds(20), "the ping scheduled during the outage fires");
        Assert.Null(await Vhost.ReadyMessagesAsync("testhost-scheduler_error"));
    }

    [Fact]
    public async Task A_consumer_that_ignores_a_database_error_has_its_message_retried_not_acknowledged()
    {
        var tenant = Guid.NewGuid();
        var id = Guid.NewGuid();
        await App.Bus.Publish(new Swallow(tenant, id, DateTimeOffset.UtcNow));

        // The first attempt's COMMIT is answered with ROLLBACK by PostgreSQL; acknowledging it would lose the message.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", id), n => n == 1,
            TimeSpan.FromSeconds(20), "the retried attempt commits the effect");
        Assert.True(SwallowingConsumer.Attempts[id] >= 2);
    }

    [Fact]
    public async Task A_message_published_inside_a_rolled_back_savepoint_is_not_sent()
    {
        var tenant = Guid.NewGuid();
        var response = await App.ClientFor(tenant).PostAsync("/orders/with-savepoint", null);
        response.EnsureSuccessStatusCode();
        var orders = await response.Content.ReadFromJsonAsync<JsonElement>();
        var undone = orders[0].GetProperty("id").GetGuid();
        var kept = orders[1].GetProperty("id").GetGuid();

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", kept), n => n == 1,
            TimeSpan.FromSeconds(20), "the kept order's message is consumed");
        // The relay deletes what it sent in the transaction that follows the send, so the consumer can be quicker than that
        // commit: wait for the outbox to empty. Both messages would have been in the same relay batch, so once the outbox is
        // empty and the queue holds nothing unacknowledged, an undone message would have been consumed too.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(20), "the relay has removed what it sent");
        await Eventually.Until(() => Vhost.PendingMessagesAsync("testhost-order-placed"), n => n == 0, TimeSpan.FromSeconds(20),
            "the order queue holds nothing unacknowledged");
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", undone));
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.orders where id = $1", undone));
    }
}

/// <summary>One receive endpoint that cannot start must not stop the relay or the scheduler of the whole service.</summary>
public sealed class Running_with_one_endpoint_down : IAsyncLifetime
{
    TestDatabase _db = null!;
    TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync("degraded");
        // The flaky consumer's queue already exists with other arguments: MassTransit's declaration fails with
        // PRECONDITION_FAILED and that endpoint never starts, while the broker and the other endpoints are fine.
        await _vhost.DeclareQueueAsync("testhost-flaky", new Dictionary<string, object> { ["x-max-length"] = 5 });
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Outbox_messages_and_timers_are_delivered_and_readiness_names_the_endpoint()
    {
        await using var app = new TestHostApp(TestHostSettings.For(_db, _vhost));
        var client = app.CreateClient();
        // MassTransit never finishes starting a bus one of whose endpoints faulted: not ready, naming the endpoint.
        var health = await Eventually.Until(async () =>
        {
            var response = await client.GetAsync("/health/ready");
            return (response.StatusCode, Body: await response.Content.ReadAsStringAsync());
        }, h => h.Body.Contains("\"testhost-flaky\"", StringComparison.Ordinal), TimeSpan.FromSeconds(60), "readiness names the faulted endpoint");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, health.StatusCode);
        Assert.Contains("\"postgres\":{\"status\":\"Healthy\"", health.Body, StringComparison.Ordinal);

        var tenant = Guid.NewGuid();
        var placed = await app.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount = 3m });
        placed.EnsureSuccessStatusCode();
        var orderId = (await placed.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid();
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", orderId), n => n == 1,
            TimeSpan.FromSeconds(20), "the relay delivers the order's message");

        var due = DateTime.UtcNow.AddSeconds(1);
        var ping = await app.Bus.CreateMessageScheduler(new Uri("queue:testhost-scheduler"))
            .ScheduleSend(new Uri("queue:testhost-ping"), due, new Ping(Guid.NewGuid(), due));
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", ping.Payload.PingId), n => n == 1,
            TimeSpan.FromSeconds(20), "the scheduler fires the timer");
    }
}
