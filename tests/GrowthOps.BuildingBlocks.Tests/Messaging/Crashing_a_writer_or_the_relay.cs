using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

/// <summary>Real processes killed at the worst moments; nothing committed may be lost, nothing may take effect twice.</summary>
public sealed class Crashing_a_writer_or_the_relay : IAsyncLifetime
{
    TestDatabase _db = null!;
    TestVirtualHost _vhost = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync();
        _vhost = await TestVirtualHost.CreateAsync("crash");
    }

    public async Task DisposeAsync()
    {
        await _vhost.DisposeAsync();
        await _db.DisposeAsync();
    }

    [Fact]
    public async Task Messages_committed_before_a_writer_crash_are_all_delivered_after_restart()
    {
        const int count = 300;
        var tenant = Guid.NewGuid();
        var writerSettings = TestHostSettings.For(_db, _vhost, new Dictionary<string, string?> { ["Messaging:EnableOutboxRelay"] = "false" });
        await using (var writer = ChildHost.Start(writerSettings, null, "write", count.ToString(System.Globalization.CultureInfo.InvariantCulture),
                         tenant.ToString(), "--crash"))
        {
            var exit = await writer.WaitForExitAsync(TimeSpan.FromSeconds(90));
            Assert.NotEqual(0, exit);
            Assert.Contains($"committed {count}", writer.Output, StringComparison.Ordinal);
        }

        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.orders"));
        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.outbox_message"));

        await using var restarted = ChildHost.Start(TestHostSettings.For(_db, _vhost));
        await restarted.WaitReadyAsync();
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(distinct order_id) from testhost.effects"), n => n == count,
            TimeSpan.FromSeconds(60), "every committed order is consumed");
        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.effects"));
        // The relay deletes what it sent after the send, so a consumer can be quicker than that commit.
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0,
            TimeSpan.FromSeconds(20), "the relay has removed what it sent");
    }

    [Fact]
    public async Task A_relay_killed_between_send_and_delete_delivers_everything_with_effects_exactly_once()
    {
        const int count = 500;
        var tenant = Guid.NewGuid();
        var noRelay = TestHostSettings.For(_db, _vhost, new Dictionary<string, string?> { ["Messaging:EnableOutboxRelay"] = "false" });
        await using (var writer = ChildHost.Start(noRelay, null, "write", count.ToString(System.Globalization.CultureInfo.InvariantCulture), tenant.ToString()))
            Assert.Equal(0, await writer.WaitForExitAsync(TimeSpan.FromSeconds(90)));
        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.outbox_message"));

        // This relay sends its first batch (the broker confirms it) and dies before deleting the rows.
        await using (var crashing = ChildHost.Start(TestHostSettings.For(_db, _vhost, new Dictionary<string, string?> { ["Messaging:OutboxBatchSize"] = "100" }),
                         new Dictionary<string, string> { ["TESTHOST_RELAY_CRASH"] = "1" }))
        {
            Assert.NotEqual(0, await crashing.WaitForExitAsync(TimeSpan.FromSeconds(90)));
            Assert.Contains("relay sent 100", crashing.Output, StringComparison.Ordinal);
        }

        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.outbox_message"));

        await using var restarted = ChildHost.Start(TestHostSettings.For(_db, _vhost));
        await restarted.WaitReadyAsync();
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(distinct order_id) from testhost.effects"), n => n == count,
            TimeSpan.FromSeconds(60), "every order is consumed");
        await Eventually.Until(() => _db.ScalarAsync<long>("select count(*) from testhost.outbox_message"), n => n == 0, because: "the outbox drains");

        // The first 100 were handed to the broker twice; the inbox turned that into one effect each.
        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.effects"));
        Assert.Equal(count, await _db.ScalarAsync<long>("select count(*) from testhost.inbox_state"));
    }
}
