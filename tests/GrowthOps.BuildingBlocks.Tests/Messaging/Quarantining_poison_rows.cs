using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost.Contracts;
using MassTransit;
using MassTransit.Scheduling;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

/// <summary>A row the relay or the scheduler cannot deliver moves to dead_letter after its attempts; the rows behind it keep flowing.</summary>
public sealed class Quarantining_poison_rows() : TestHostTests("poison")
{
    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?>
    {
        ["Messaging:MaxDeliveryAttempts"] = "3",
        ["Messaging:DeliveryRetryMinInterval"] = "00:00:00.100",
        ["Messaging:DeliveryRetryMaxInterval"] = "00:00:00.200",
    };

    /// <summary>A complete MassTransit envelope of an OrderPlaced, as the outbox stores it.</summary>
    static string Envelope(Guid messageId, Guid tenant, Guid orderId) => JsonSerializer.Serialize(new
    {
        messageId,
        messageType = new[] { "urn:message:GrowthOps.TestHost.Contracts:OrderPlaced" },
        message = new { tenantId = tenant, orderId, amount = 5m, occurredAt = DateTimeOffset.UtcNow },
        sentTime = DateTime.UtcNow,
        headers = new { },
    });

    Task InsertOutboxRow(Guid messageId, Guid tenant, Guid orderId, string headers) => Db.ScalarAsync<int>("""
        insert into testhost.outbox_message (sent_time, headers, message_id, content_type, message_type, body, destination_address)
        values (now(), $1, $2, 'application/vnd.masstransit+json', 'urn:message:GrowthOps.TestHost.Contracts:OrderPlaced', $3, 'queue:testhost-order-placed')
        """, headers, messageId, Envelope(messageId, tenant, orderId));

    [Fact]
    public async Task An_outbox_row_that_cannot_be_read_is_dead_lettered_and_the_rows_behind_it_are_delivered()
    {
        var tenant = Guid.NewGuid();
        var poison = Guid.NewGuid();
        // Corrupt headers: the row cannot be deserialised. It has the lowest sequence number, so every batch takes it first.
        await InsertOutboxRow(poison, tenant, Guid.NewGuid(), "{not json");
        var client = App.ClientFor(tenant);
        var orders = new List<Guid>();
        for (var i = 0; i < 5; i++)
        {
            var response = await client.PostAsJsonAsync("/orders", new { amount = 1 + i });
            response.EnsureSuccessStatusCode();
            orders.Add((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("id").GetGuid());
        }

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = any($1)", orders.ToArray()), n => n == 5,
            TimeSpan.FromSeconds(20), "the orders behind the poison row are delivered");
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.dead_letter where message_id = $1", poison), n => n == 1,
            TimeSpan.FromSeconds(20), "the poison row is dead-lettered");

        // The relay deletes what it sent after the send, so a consumer can be quicker than that commit.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(20), "the relay has removed what it sent");
        Assert.Equal("outbox", await Db.ScalarAsync<string>("select source from testhost.dead_letter where message_id = $1", poison));
        Assert.Equal(3, await Db.ScalarAsync<int>("select attempts from testhost.dead_letter where message_id = $1", poison));
        Assert.Contains("Json", await Db.ScalarAsync<string>("select error from testhost.dead_letter where message_id = $1", poison),
            StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task A_dead_letter_fixed_by_an_operator_is_delivered_when_replayed()
    {
        var tenant = Guid.NewGuid();
        var poison = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await InsertOutboxRow(poison, tenant, orderId, "{not json");
        var id = await Eventually.Until(() => Db.ScalarAsync<long>("select coalesce(max(id), 0) from testhost.dead_letter where message_id = $1", poison),
            n => n > 0, TimeSpan.FromSeconds(20), "the poison row is dead-lettered");

        await Db.ScalarAsync<int>("update testhost.dead_letter set original = jsonb_set(original, '{headers}', '\"{}\"') where id = $1", id);
        Assert.True(await Db.ScalarAsync<bool>("select testhost.replay_dead_letter($1)", id));
        Assert.False(await Db.ScalarAsync<bool>("select testhost.replay_dead_letter($1)", id));

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", orderId), n => n == 1,
            TimeSpan.FromSeconds(20), "the replayed message is consumed");
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.dead_letter"));
    }

    [Fact]
    public async Task A_scheduled_row_that_cannot_be_read_is_dead_lettered_and_later_timers_still_fire()
    {
        var poison = Guid.NewGuid();
        await ScheduledPings.InsertDueAsync(Db, poison, "{}", headers: "{not json");
        var due = DateTime.UtcNow.AddSeconds(1);
        var ping = await App.Bus.CreateMessageScheduler(new Uri("queue:testhost-scheduler"))
            .ScheduleSend(new Uri("queue:testhost-ping"), due, new Ping(Guid.NewGuid(), due));

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", ping.Payload.PingId), n => n == 1,
            TimeSpan.FromSeconds(20), "the later timer fires");
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.dead_letter where source = 'scheduler' and message_id = $1", poison),
            n => n == 1, TimeSpan.FromSeconds(20), "the poison timer is dead-lettered");
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where token_id = $1", poison));
    }

    [Fact]
    public async Task A_recurring_schedule_whose_next_time_cannot_be_computed_is_not_sent_over_and_over()
    {
        var pingId = Guid.NewGuid();
        var envelope = ScheduledPings.Envelope(pingId);
        // A time zone this machine does not know: the next occurrence cannot be computed. It used to be computed after the send,
        // so the send was rolled back and repeated at every poll.
        await Db.ScalarAsync<int>("""
            insert into testhost.scheduled_message (token_id, scheduled_time, schedule_id, schedule_group, cron_expression, time_zone_id,
              message_id, content_type, message_type, body, headers, destination_address)
            values ($1, now() - interval '1 second', 'bad-zone', 'tests', '* * * * * ?', 'Nowhere/Atlantis', $1, 'application/vnd.masstransit+json',
              $3, $2, '{}', 'queue:testhost-ping')
            """, Guid.NewGuid(), envelope, ScheduledPings.MessageType);

        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.dead_letter where source = 'scheduler'"), n => n == 1,
            TimeSpan.FromSeconds(20), "the failed occurrence is dead-lettered");
        Assert.True(await Db.ScalarAsync<bool>("select cancelled from testhost.scheduled_message where schedule_id = 'bad-zone'"));
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.pings where ping_id = $1", pingId));
    }
}
