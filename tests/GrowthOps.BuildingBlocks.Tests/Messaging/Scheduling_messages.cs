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
