using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.TestHost.Contracts;
using MassTransit;

namespace GrowthOps.BuildingBlocks.Tests.Messaging;

public sealed class Running_sagas() : TestHostTests("saga")
{
    readonly Guid _tenant = Guid.NewGuid();


    Task<string> State(Guid id) => Db.ScalarAsync<string>("select coalesce(max(current_state), '') from testhost.order_state where correlation_id = $1", id);

    Task<long> Field(Guid id, string field) =>
        Db.ScalarAsync<long>($"select coalesce(max((data->>'{field}')::bigint), -1) from testhost.order_state where correlation_id = $1", id);

    [Fact]
    public async Task Two_hundred_concurrent_events_for_one_saga_are_allApplied()
    {
        var id = NewId.NextGuid();
        await App.Bus.Publish(new OrderSubmitted(_tenant, id, 3600, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(id), s => s == "AwaitingPayment");

        await Task.WhenAll(Enumerable.Range(0, 200).Select(_ => App.Bus.Publish(new ItemAdded(_tenant, id, DateTimeOffset.UtcNow))));

        await Eventually.Until(() => Field(id, "items"), n => n == 200, TimeSpan.FromSeconds(60), "all 200 items are counted");
        // Inserted at version 1, updated by the initial event, then once per item: each event committed on its own.
        Assert.Equal(202L, await Db.ScalarAsync<long>("select version from testhost.order_state where correlation_id = $1", id));
    }

    [Fact]
    public async Task An_instance_carries_its_tenant_and_other_tenants_cannot_see_it()
    {
        var id = NewId.NextGuid();
        await App.Bus.Publish(new OrderSubmitted(_tenant, id, 3600, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(id), s => s == "AwaitingPayment");

        Assert.Equal(_tenant, await Db.ScalarAsync<Guid>("select tenant_id from testhost.order_state where correlation_id = $1", id));
        Assert.Equal(1L, await VisibleTo(_tenant, id));
        Assert.Equal(0L, await VisibleTo(Guid.NewGuid(), id));
    }

    [Fact]
    public async Task An_event_of_another_tenant_for_the_same_id_leaves_the_instance_alone()
    {
        var id = NewId.NextGuid();
        await App.Bus.Publish(new OrderSubmitted(_tenant, id, 3600, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(id), s => s == "AwaitingPayment");
        var version = await Db.ScalarAsync<long>("select version from testhost.order_state where correlation_id = $1", id);

        var foreign = NewId.NextGuid();
        await App.Bus.Publish(new OrderPaid(Guid.NewGuid(), id, DateTimeOffset.UtcNow), c => c.MessageId = foreign);

        // Under row-level security the other tenant's event finds no instance: it is handled (or set aside) without touching this one.
        await Eventually.Until(async () => await Db.ScalarAsync<long>("select count(*) from testhost.inbox_state where message_id = $1", foreign)
                                           + (await Vhost.ReadyMessagesAsync("testhost-order-state_skipped") ?? 0)
                                           + (await Vhost.ReadyMessagesAsync("testhost-order-state_error") ?? 0), n => n >= 1,
            TimeSpan.FromSeconds(30), "the foreign event is dealt with");
        Assert.Equal("AwaitingPayment", await State(id));
        Assert.Equal(version, await Db.ScalarAsync<long>("select version from testhost.order_state where correlation_id = $1", id));
    }

    /// <summary>Instances the service's own role sees in a transaction of <paramref name="tenant"/>.</summary>
    async Task<long> VisibleTo(Guid tenant, Guid id)
    {
        await using var connection = new Npgsql.NpgsqlConnection(Db.ServiceConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using var cmd = new Npgsql.NpgsqlCommand("""
            select set_config('app.tenant_id', $1, true);
            """, connection, transaction);
        cmd.Parameters.Add(new Npgsql.NpgsqlParameter { Value = tenant.ToString() });
        await cmd.ExecuteNonQueryAsync();
        await using var count = new Npgsql.NpgsqlCommand("select count(*) from testhost.order_state where correlation_id = $1", connection, transaction);
        count.Parameters.Add(new Npgsql.NpgsqlParameter { Value = id });
        return (long)(await count.ExecuteScalarAsync())!;
    }

    [Fact]
    public async Task Twenty_duplicate_initial_events_create_one_saga()
    {
        var id = NewId.NextGuid();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => App.Bus.Publish(new OrderSubmitted(_tenant, id, 3600, DateTimeOffset.UtcNow))));

        await Eventually.Until(() => Field(id, "submissions"), n => n == 20, TimeSpan.FromSeconds(30), "every submission is applied");
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.order_state where correlation_id = $1", id));
    }

    [Fact]
    public async Task A_scheduled_timeout_fires_and_an_unscheduled_one_does_not()
    {
        var timesOut = NewId.NextGuid();
        var paid = NewId.NextGuid();
        await App.Bus.Publish(new OrderSubmitted(_tenant, paid, 2, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(paid), s => s == "AwaitingPayment");
        await App.Bus.Publish(new OrderPaid(_tenant, paid, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(paid), s => s == "PaidState");

        // Submitted after the paid order with the same 2 s timeout: once it has timed out, the paid order's (cancelled) timeout is past due too.
        await App.Bus.Publish(new OrderSubmitted(_tenant, timesOut, 2, DateTimeOffset.UtcNow));
        await Eventually.Until(() => State(timesOut), s => s == "TimedOut", TimeSpan.FromSeconds(15), "the payment timeout fires");

        Assert.Equal("PaidState", await State(paid));
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where cancelled"));
        // The scheduler marks a fired row when it commits, which may be just after the consumer saw the message; the row stays as
        // a tombstone so that a redelivered schedule command cannot fire it again.
        await Eventually.Until(() => Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where not cancelled and not fired"), n => n == 0,
            TimeSpan.FromSeconds(10), "the fired timeout's row is marked fired");
        Assert.Equal(1L, await Db.ScalarAsync<long>("select count(*) from testhost.scheduled_message where fired"));
    }
}
