using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using Microsoft.Extensions.Hosting;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

/// <summary>
/// <c>./growthops dlq</c> as an operator uses it: against real MassTransit faults in an <c>_error</c> queue and real rows
/// quarantined in <c>dead_letter</c>, each test with its own virtual host and database.
/// </summary>
public sealed class Operating_dead_letters
{
    const string ErrorQueue = "testhost-flaky_error";
    const string FlakyQueue = "testhost-flaky";
    static readonly Uri PingQueue = new("queue:testhost-ping");
    static readonly Uri Scheduler = new("queue:testhost-scheduler");

    // No immediate retries and two short redeliveries: a faulting message reaches its _error queue within seconds; the
    // relay gives up on a row after three quick attempts.
    static Dictionary<string, string?> Settings(TestDatabase db, TestVirtualHost vhost) =>
        TestHostSettings.For(db, vhost, new Dictionary<string, string?>
        {
            ["Messaging:ImmediateRetries"] = "0",
            ["Messaging:MaxDeliveryAttempts"] = "3",
            ["Messaging:DeliveryRetryMinInterval"] = "00:00:00.100",
            ["Messaging:DeliveryRetryMaxInterval"] = "00:00:00.200",
        });

    [Fact]
    public async Task Lists_faulted_messages_and_moves_them_back_to_their_queue()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var vhost = await TestVirtualHost.CreateAsync("dlq");
        var flakyIds = new[] { Guid.NewGuid(), Guid.NewGuid(), Guid.NewGuid() };
        await using (var app = await new TestHostApp(Settings(db, vhost)).StartAsync())
        {
            foreach (var id in flakyIds)
                await app.Bus.Publish(new Flaky(id));
            await Eventually.Until(() => vhost.ReadyMessagesAsync(ErrorQueue), n => n == 3, TimeSpan.FromSeconds(60),
                "the always-failing consumer's messages land in its error queue");
        }

        // The failing consumer is gone (its service is "fixed" below), so nothing takes a replayed message too early.
        var list = await GrowthopsScript.RunAsync(vhost, db, "dlq", "list", "testhost");
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = list.Output.Split('\n');
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^\s*{ErrorQueue}\s+3\s"));
        var listed = lines.Where(l => l.Contains("GrowthOps.TestHost.Contracts.Flaky", StringComparison.Ordinal)).ToList();
        Assert.Equal(3, listed.Count);
        Assert.All(listed, line =>
        {
            Assert.Contains("System.InvalidOperationException: flaky consumer always fails", line, StringComparison.Ordinal);
            Assert.Matches(@"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d", line);
        });
        var messageIds = listed.Select(l => Guid.Parse(Regex.Match(l, "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}").Value)).ToList();
        Assert.Equal(3, messageIds.Distinct().Count());

        // Listing does not take anything off the queue.
        await Eventually.Until(() => vhost.ReadyMessagesAsync(ErrorQueue), n => n == 3, TimeSpan.FromSeconds(15));

        var received = new ConcurrentDictionary<Guid, Guid>();
        var healthy = await StartHealthyConsumerAsync(vhost, received);
        try
        {
            var one = await GrowthopsScript.RunAsync(vhost, db, "dlq", "replay", ErrorQueue, "--id", messageIds[1].ToString());
            Assert.True(one.ExitCode == 0, one.ToString());
            await Eventually.Until(() => Task.FromResult(received.Count), n => n > 0, TimeSpan.FromSeconds(30),
                "the replayed message is consumed from its queue");
            Assert.Equal(new[] { messageIds[1] }, received.Keys.ToArray());
            await Eventually.Until(() => vhost.ReadyMessagesAsync(ErrorQueue), n => n == 2, TimeSpan.FromSeconds(15),
                "the other two stay in the error queue");

            // The queue's own name stands for its error queue.
            var all = await GrowthopsScript.RunAsync(vhost, db, "dlq", "replay", FlakyQueue, "--all");
            Assert.True(all.ExitCode == 0, all.ToString());
            Assert.Contains($"{ErrorQueue}: 2 message(s) moved back to {FlakyQueue}", all.Output, StringComparison.Ordinal);
            await Eventually.Until(() => Task.FromResult(received.Count), n => n == 3, TimeSpan.FromSeconds(30),
                "every replayed message is consumed");
            // Each failed message came back once, with its body: the three messages published, nothing else.
            Assert.Equal(messageIds.Order(), received.Keys.Order());
            Assert.Equal(flakyIds.Order(), received.Values.Order());
            await Eventually.Until(() => vhost.ReadyMessagesAsync(ErrorQueue), n => n == 0, TimeSpan.FromSeconds(15));
        }
        finally
        {
            await healthy.StopAsync();
            healthy.Dispose();
        }
    }

    [Fact]
    public async Task Lists_quarantined_rows_and_puts_them_back_in_the_outbox_and_the_scheduler()
    {
        await using var db = await TestDatabase.CreateAsync();
        await using var vhost = await TestVirtualHost.CreateAsync("dlq");
        var tenant = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        var poison = Guid.NewGuid();
        var pingId = Guid.NewGuid();
        await using (var app = await new TestHostApp(Settings(db, vhost)).StartAsync())
        {
            // An OrderPlaced whose stored headers cannot be read: the relay gives up on it after its attempts.
            await db.ScalarAsync<int>("""
                insert into testhost.outbox_message (sent_time, headers, message_id, content_type, message_type, body, destination_address)
                values (now(), '{not json', $1, 'application/vnd.masstransit+json', 'urn:message:GrowthOps.TestHost.Contracts:OrderPlaced', $2,
                  'queue:testhost-order-placed')
                """, poison, OrderPlacedEnvelope(poison, tenant, orderId));
            await Eventually.Until(() => db.ScalarAsync<long>("select count(*) from testhost.dead_letter where message_id = $1", poison), n => n == 1,
                TimeSpan.FromSeconds(30), "the relay dead-letters the unreadable row");
            var due = DateTime.UtcNow.AddHours(1);
            await app.Bus.CreateMessageScheduler(Scheduler).ScheduleSend(PingQueue, due, new Ping(pingId, due));
            await Eventually.Until(() => db.ScalarAsync<long>("select count(*) from testhost.scheduled_message"), n => n == 1,
                because: "the scheduler stores the ping");
        }

        // A timer the scheduler gave up on, moved as the scheduler moves it (its failure is not easily provoked from outside).
        var scheduledLetter = await db.ScalarAsync<long>("""
            with moved as (delete from testhost.scheduled_message returning *)
            insert into testhost.dead_letter (source, message_id, message_type, destination_address, attempts, error, original)
            select 'scheduler', message_id, message_type, destination_address, 5,
              'RabbitMQ.Client.Exceptions.AlreadyClosedException: scheduler send failed', to_jsonb(moved)
            from moved returning id
            """);
        var outboxLetter = await db.ScalarAsync<long>("select id from testhost.dead_letter where message_id = $1", poison);

        var list = await GrowthopsScript.RunAsync(vhost, db, "dlq", "list", "testhost");
        Assert.True(list.ExitCode == 0, list.ToString());
        var lines = list.Output.Split('\n');
        Assert.Contains(lines, l => Regex.IsMatch(l, $@"^\s*testhost\s+2\s+{outboxLetter}\s+outbox\s"));
        var outboxLine = Assert.Single(lines, l => Regex.IsMatch(l, $@"\s{outboxLetter}\s+outbox\s+{poison}\s"));
        Assert.Matches(@"\sGrowthOps\.TestHost\.Contracts\.OrderPlaced\s+3\s", outboxLine);
        Assert.Contains("json", outboxLine, StringComparison.OrdinalIgnoreCase);
        var scheduledLine = Assert.Single(lines, l => Regex.IsMatch(l, $@"\s{scheduledLetter}\s+scheduler\s"));
        Assert.Matches(@"\sGrowthOps\.TestHost\.Contracts\.Ping\s+5\s", scheduledLine);
        Assert.Contains("AlreadyClosedException: scheduler send failed", scheduledLine, StringComparison.Ordinal);

        // The operator repairs the row's headers, then replays that one row.
        await db.ScalarAsync<int>("update testhost.dead_letter set original = jsonb_set(original, '{headers}', '\"{}\"') where id = $1", outboxLetter);
        var one = await GrowthopsScript.RunAsync(vhost, db, "dlq", "replay", "testhost", "--id", outboxLetter.ToString(CultureInfo.InvariantCulture));
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from testhost.outbox_message where message_id = $1 and attempts = 0", poison));
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from testhost.dead_letter where source = 'scheduler'"));

        var all = await GrowthopsScript.RunAsync(vhost, db, "dlq", "replay", "testhost", "--all");
        Assert.True(all.ExitCode == 0, all.ToString());
        Assert.Equal(1L, await db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where scheduled_time <= now()"));
        Assert.Equal(0L, await db.ScalarAsync<long>("select count(*) from testhost.dead_letter"));

        // Back in their tables they are delivered as if nothing had happened: the order's effect, the ping (due at once).
        await using var healthy = await new TestHostApp(Settings(db, vhost)).StartAsync();
        await Eventually.Until(() => db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", orderId), n => n == 1,
            TimeSpan.FromSeconds(30), "the replayed OrderPlaced is relayed and consumed");
        await Eventually.Until(() => db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", pingId), n => n == 1,
            TimeSpan.FromSeconds(30), "the replayed ping fires");
    }

    /// <summary>A complete MassTransit envelope of an OrderPlaced, as the outbox stores it.</summary>
    static string OrderPlacedEnvelope(Guid messageId, Guid tenant, Guid orderId) => JsonSerializer.Serialize(new
    {
        messageId,
        messageType = new[] { "urn:message:GrowthOps.TestHost.Contracts:OrderPlaced" },
        message = new { tenantId = tenant, orderId, amount = 5m, occurredAt = DateTimeOffset.UtcNow },
        sentTime = DateTime.UtcNow,
        headers = new { },
    });

    /// <summary>The flaky consumer's queue (message id → the message's own id), now served by a consumer that succeeds: what a fixed and redeployed service looks like.</summary>
    static async Task<IHost> StartHealthyConsumerAsync(TestVirtualHost vhost, ConcurrentDictionary<Guid, Guid> received)
    {
        var host = Host.CreateDefaultBuilder().ConfigureServices(services =>
        {
            services.AddMassTransit(x => x.UsingRabbitMq((_, cfg) =>
            {
                cfg.Host(TestEnvironment.RabbitHost, TestEnvironment.RabbitPort, vhost.Name, h =>
                {
                    h.Username(TestEnvironment.RabbitUser);
                    h.Password(TestEnvironment.RabbitPassword);
                });
                cfg.ReceiveEndpoint(FlakyQueue, e =>
                {
                    e.ConfigureConsumeTopology = false;
                    e.Handler<Flaky>(context =>
                    {
                        // A second delivery of one message is refused, so it would end in the error queue that the test finds empty.
                        if (!received.TryAdd(context.MessageId!.Value, context.Message.Id))
                            throw new InvalidOperationException($"message {context.MessageId} consumed twice");
                        return Task.CompletedTask;
                    });
                });
            }));
            services.Configure<MassTransitHostOptions>(o => o.WaitUntilStarted = true);
        }).Build();
        // Started outside this test's execution context: it still carries MassTransit's log context (an AsyncLocal) from the
        // test host disposed above, whose logger factory the new bus would otherwise try to use.
        Task start;
        using (ExecutionContext.SuppressFlow())
            start = Task.Run(() => host.StartAsync());
        await start;
        return host;
    }
}
