using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using MassTransit.Scheduling;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

public sealed class Scheduling_messages() : TestHostTests("sched")
{
    static readonly Uri PingQueue = new("queue:testhost-ping");
    static readonly Uri Scheduler = new("queue:testhost-scheduler");



    IMessageScheduler SchedulerOf(TestHostApp app) => app.Bus.CreateMessageScheduler(Scheduler);

    async Task<ScheduledMessage<Ping>> SchedulePing(TestHostApp app, TimeSpan delay)
    {
        var due = DateTime.UtcNow + delay;
        return await SchedulerOf(app).ScheduleSend(PingQueue, due, new Ping(Guid.NewGuid(), due));
    }

    Task<double> LatenessSeconds(Guid pingId) => Db.ScalarAsync<double>(
        "select coalesce(max(extract(epoch from (received_at - due_at))), -999) from testhost.pings where ping_id = $1", pingId);

    [Fact]
    public async Task A_scheduled_message_fires_within_one_second_of_due()
    {
        var ping = await SchedulePing(App, TimeSpan.FromSeconds(2));

        var lateness = await Eventually.Until(() => LatenessSeconds(ping.Payload.PingId), v => v > -999, TimeSpan.FromSeconds(15), "the ping arrives");
        Assert.InRange(lateness, -0.05, 1.0);
    }

    [Fact]
    public async Task An_unscheduled_message_never_fires()
    {
        var cancelled = await SchedulePing(App, TimeSpan.FromSeconds(1));
        await SchedulerOf(App).CancelScheduledSend(PingQueue, cancelled.TokenId);
        var later = await SchedulePing(App, TimeSpan.FromSeconds(2));

        await Eventually.Until(() => LatenessSeconds(later.Payload.PingId), v => v > -999, TimeSpan.FromSeconds(15), "the later ping arrives");
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", cancelled.Payload.PingId));
    }

    [Fact]
    public async Task A_schedule_command_delivered_again_after_its_message_fired_does_not_fire_it_twice()
    {
        var due = DateTime.UtcNow.AddSeconds(1);
        var ping = new Ping(Guid.NewGuid(), due);
        var command = new ScheduleMessageCommand<Ping>(due, PingQueue, ping, Guid.NewGuid());
        var scheduler = await App.Bus.GetSendEndpoint(Scheduler);
        await scheduler.Send<ScheduleMessage>(command);
        await Eventually.Until(() => LatenessSeconds(ping.PingId), v => v > -999, TimeSpan.FromSeconds(15), "the ping fires");
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where token_id = $1 and fired", command.CorrelationId),
            n => n == 1, TimeSpan.FromSeconds(10), "the fired row is kept as a tombstone");

        // The broker redelivers the very same command (a consumer crashed before its ack, say).
        await scheduler.Send<ScheduleMessage>(command);
        var marker = await SchedulePing(App, TimeSpan.FromSeconds(1));
        await Eventually.Until(() => LatenessSeconds(marker.Payload.PingId), v => v > -999, TimeSpan.FromSeconds(15), "a later ping fires");

        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", ping.PingId));
    }

    [Fact]
    public async Task A_scheduler_does_not_poll_hot_while_another_instance_holds_a_due_row()
    {
        await using var other = new Npgsql.NpgsqlConnection(Db.AdminConnectionString);
        await other.OpenAsync();
        Npgsql.NpgsqlTransaction? hold = null;
        // Another replica has taken a due row and is slow to send it. The row is committed as due, then locked at once; should
        // the scheduler win that race and fire it first, try again with another row.
        for (var attempt = 0; hold is null && attempt < 10; attempt++)
        {
            var token = Guid.NewGuid();
            await ScheduledPings.InsertDueAsync(Db, token, ScheduledPings.Envelope(Guid.NewGuid(), token));
            var transaction = await other.BeginTransactionAsync();
            await using var take = new Npgsql.NpgsqlCommand(
                "select token_id from testhost.scheduled_message where token_id = $1 and not fired for update skip locked", other, transaction);
            take.Parameters.Add(new Npgsql.NpgsqlParameter { Value = token });
            if (await take.ExecuteScalarAsync() is Guid)
                hold = transaction;
            else
                await transaction.DisposeAsync();
        }

        Assert.NotNull(hold);
        var before = await Transactions();
        await Task.Delay(TimeSpan.FromSeconds(3)); // the observation window
        var during = await Transactions() - before;
        await hold.RollbackAsync();

        // Sleeping its poll interval (1 s) the scheduler commits a few transactions in 3 s; polling every 10 ms it would commit hundreds.
        Assert.InRange(during, 0, 60);
    }

    Task<long> Transactions() => Db.ScalarAsync<long>("select pg_stat_get_db_xact_commit(oid) from pg_database where datname = current_database()");

    [Fact]
    public async Task Two_scheduler_instances_fire_each_message_exactly_once()
    {
        await using var second = await new TestHostApp(TestHostSettings.For(Db, Vhost)).StartAsync();
        var pings = await Task.WhenAll(Enumerable.Range(0, 100).Select(i =>
            SchedulePing(i % 2 == 0 ? App : second, TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(10 * i))));
        var ids = pings.Select(p => p.Payload.PingId).ToHashSet();

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.pings"), n => n >= 100, TimeSpan.FromSeconds(30),
            "all 100 pings arrive");

        // Both hosts count every delivery before their inboxes; a message fired twice would show 2 here.
        var delivered = ids.Select(id => DeliveryCounter.Pings.GetValueOrDefault(id)).ToList();
        Assert.All(delivered, n => Assert.Equal(1, n));
        Assert.Equal(100L, await Db.ScalarAsync<long>("select count(*) from testhost.pings"));
    }

    [Fact]
    public async Task A_recurring_schedule_fires_every_second_until_cancelled()
    {
        IRecurringMessageScheduler scheduler = new EndpointRecurringMessageScheduler(App.Bus, Scheduler, App.Bus.Topology);
        var pingId = Guid.NewGuid();
        var recurring = await scheduler.ScheduleRecurringSend(PingQueue, new EverySecond(), new Ping(pingId, DateTimeOffset.UtcNow));

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", pingId), n => n >= 3,
            TimeSpan.FromSeconds(15), "three occurrences arrive");
        await scheduler.CancelScheduledRecurringSend(recurring.Schedule.ScheduleId, recurring.Schedule.ScheduleGroup);
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where cancelled"), n => n == 1);
        var fired = await Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", pingId);

        // A later one-shot ping proves the scheduler kept running while the cancelled schedule stayed silent.
        var marker = await SchedulePing(App, TimeSpan.FromSeconds(2));
        await Eventually.Until(() => LatenessSeconds(marker.Payload.PingId), v => v > -999, TimeSpan.FromSeconds(15));
        Assert.InRange(await Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", pingId), fired, fired + 1);
    }

    sealed class EverySecond : DefaultRecurringSchedule
    {
        public EverySecond()
        {
            CronExpression = "* * * * * ?";
            ScheduleId = "every-second";
            ScheduleGroup = "tests";
        }
    }
}
