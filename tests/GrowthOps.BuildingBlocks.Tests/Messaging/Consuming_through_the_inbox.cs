using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost;
using MassTransit;
using GrowthOps.TestHost.Contracts;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

public sealed class Consuming_through_the_inbox() : TestHostTests("inbox")
{
    [Fact]
    public async Task A_message_delivered_five_times_has_its_effect_once()
    {
        var tenant = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        var messageId = Guid.NewGuid();
        await Task.WhenAll(Enumerable.Range(0, 5).Select(_ =>
            App.Bus.Publish(new OrderPlaced(tenant, orderId, 3m, DateTimeOffset.UtcNow), c => c.MessageId = messageId)));

        // A second, distinct message behind the duplicates shows they have all been processed.
        var marker = Guid.NewGuid();
        await App.Bus.Publish(new OrderPlaced(tenant, marker, 1m, DateTimeOffset.UtcNow));
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", marker), n => n == 1);
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.inbox_state"), n => n == 2);

        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", orderId));
        // The duplicates count as consumed: none is moved to a _skipped queue (which exists only once something was moved there).
        Assert.Null(await Vhost.ReadyMessagesAsync("testhost-order-placed_skipped"));
    }

    [Fact]
    public async Task The_consumer_writes_under_the_tenant_of_the_message()
    {
        var tenant = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await App.Bus.Publish(new OrderPlaced(tenant, orderId, 3m, DateTimeOffset.UtcNow));
        // effects has a row-level security WITH CHECK on the tenant: the insert succeeds only if the transaction is the message's tenant's.
        var written = await Eventually.Until(() => Db.ScalarAsync<string>("select coalesce(max(tenant_id::text), '') from testhost.effects where order_id = $1", orderId),
            t => t.Length > 0);
        Assert.Equal(tenant.ToString(), written);
    }

    [Fact]
    public async Task A_failing_message_is_retried_redelivered_and_then_moved_to_the_error_queue()
    {
        var id = Guid.NewGuid();
        await App.Bus.Publish(new Flaky(id));

        await Eventually.Until(() => Vhost.ReadyMessagesAsync("testhost-flaky_error"), n => n == 1, TimeSpan.FromSeconds(30),
            "the message lands in the error queue");
        // 1 attempt + 2 immediate retries, for the first delivery and each of the 2 scheduled redeliveries.
        Assert.Equal(9, FlakyConsumer.Attempts[id]);
    }

    [Fact]
    public async Task A_redelivered_message_keeps_its_message_id_so_the_inbox_recognises_it()
    {
        var id = Guid.NewGuid();
        var messageId = NewId.NextGuid();
        await App.Bus.Publish(new Redelivered(id), c => c.MessageId = messageId);

        // 1 attempt + 2 immediate retries, then the scheduled redelivery succeeds.
        await Eventually.Until(() => Task.FromResult(RedeliveredConsumer.MessageIds.TryGetValue(id, out var ids) ? ids.Count : 0), n => n == 4,
            TimeSpan.FromSeconds(20), "the message is redelivered");
        Assert.All(RedeliveredConsumer.MessageIds[id], seen => Assert.Equal(messageId, seen));
    }
}
