using System.Net;
using System.Net.Http.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.Persistence;
using GrowthOps.TestHost.Contracts;
using MassTransit;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

public sealed class Publishing_through_the_outbox() : TestHostTests("outbox")
{
    // A 30 s fallback poll: prompt delivery can only come from the relay being woken by the commit.
    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?> { ["Messaging:OutboxPollInterval"] = "00:00:30" };

    /// <summary>A later order's effect proves the consumer is running; by then <paramref name="orderId"/>'s effect would be there too.</summary>
    async Task AssertNeverConsumedAsync(Guid tenant, Guid orderId)
    {
        var marker = await App.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount = 1m });
        var markerId = (await marker.Content.ReadFromJsonAsync<OrderBody>())!.Id;
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", markerId), n => n == 1,
            because: "the marker order is consumed");
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.effects where order_id = $1", orderId));
    }

    [Fact]
    public async Task Wakes_the_relay_on_commit_instead_of_waiting_for_its_poll()
    {
        var tenant = Guid.NewGuid();
        var response = await App.ClientFor(tenant).PostAsJsonAsync("/orders", new { amount = 12.5m });
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        var order = await response.Content.ReadFromJsonAsync<OrderBody>();

        var latency = await Eventually.Until(
            () => Db.ScalarAsync<double>("select coalesce(max(extract(epoch from (e.created - o.created))), -1) from testhost.effects e join testhost.orders o on o.id = e.order_id where e.order_id = $1", order!.Id),
            v => v >= 0, TimeSpan.FromSeconds(10), "the consumer records the order");
        Assert.True(latency < 5.0, $"commit to consume took {latency:F3}s");
        // The relay deletes what it sent after the send, so a consumer can be quicker than that commit.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(20), "the relay has removed what it sent");
    }

    [Fact]
    public async Task A_process_without_a_relay_wakes_the_relay_of_another_process_with_notify()
    {
        var tenant = Guid.NewGuid();
        var writerSettings = TestHostSettings.For(Db, Vhost, new Dictionary<string, string?> { ["Messaging:EnableOutboxRelay"] = "false" });
        await using (var writer = ChildHost.Start(writerSettings, null, "write", "20", tenant.ToString()))
            Assert.Equal(0, await writer.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        var written = DateTime.UtcNow;

        // This process's relay polls every 30 s; only the writer's NOTIFY can bring the messages out sooner.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.effects where tenant_id = $1", tenant), n => n == 20,
            TimeSpan.FromSeconds(25), "the other process's messages are delivered");
        Assert.True(DateTime.UtcNow - written < TimeSpan.FromSeconds(15));
    }

    [Fact]
    public async Task A_rolled_back_transaction_publishes_nothing()
    {
        var tenant = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await unitOfWork.BeginAsync(tenant);
            await publish.Publish(new OrderPlaced(tenant, orderId, 1m, DateTimeOffset.UtcNow));
            // Uncommitted: invisible to the relay (and to anyone else).
            Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"));
            await unitOfWork.RollbackAsync();
        }

        // The rolled-back order never arrives.
        await AssertNeverConsumedAsync(tenant, orderId);
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.outbox_message"));
    }

    [Fact]
    public async Task A_write_that_fails_with_the_commit_leaves_neither_data_nor_messages()
    {
        var tenant = Guid.NewGuid();
        var orderId = Guid.NewGuid();
        await using (var scope = App.Services.CreateAsyncScope())
        {
            var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
            var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
            await unitOfWork.BeginAsync(tenant);
            await using (var insert = unitOfWork.CreateCommand("insert into testhost.orders (tenant_id, id, amount) values ($1, $2, 3)"))
            {
                insert.Parameters.Add(new() { Value = tenant });
                insert.Parameters.Add(new() { Value = orderId });
                await insert.ExecuteNonQueryAsync();
            }

            await publish.Publish(new OrderPlaced(tenant, orderId, 3m, DateTimeOffset.UtcNow));
            // Travels with the COMMIT, after the outbox row, and fails there.
            unitOfWork.Defer(new Npgsql.NpgsqlBatchCommand("insert into testhost.orders (tenant_id, id, amount) values ($1, $1, null)")
            {
                Parameters = { new() { Value = tenant } },
            });

            await Assert.ThrowsAsync<Npgsql.PostgresException>(() => unitOfWork.CommitAsync());
            await unitOfWork.RollbackAsync();
            Assert.False(unitOfWork.IsActive);

            // The unit of work is usable again.
            await unitOfWork.BeginAsync(tenant);
            await unitOfWork.CommitAsync();
        }

        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.orders where id = $1", orderId));
        await AssertNeverConsumedAsync(tenant, orderId);
    }

    [Fact]
    public async Task Publishing_outside_a_transaction_throws_instead_of_dropping_the_message()
    {
        await using var scope = App.Services.CreateAsyncScope();
        var publish = scope.ServiceProvider.GetRequiredService<IPublishEndpoint>();
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() =>
            publish.Publish(new OrderPlaced(Guid.NewGuid(), Guid.NewGuid(), 1m, DateTimeOffset.UtcNow)));
        Assert.Contains("outside a transaction", error.Message, StringComparison.Ordinal);
    }

    sealed record OrderBody(Guid Id, decimal Amount);
}
