using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;
using GrowthOps.Persistence;
using Microsoft.Extensions.Logging.Abstractions;

namespace GrowthOps.BuildingBlocks.Tests.Persistence;

public sealed class Migrating_at_startup : IAsyncLifetime
{
    TestDatabase _db = null!;

    public async Task InitializeAsync() => _db = await TestDatabase.CreateAsync();

    public Task DisposeAsync() => _db.DisposeAsync().AsTask();

    static MigrationSource[] Sources =>
    [
        new(typeof(UnitOfWork).Assembly, -100),
        new(typeof(GrowthOps.Messaging.MessagingOptions).Assembly, -50),
        new(typeof(GrowthOps.TestHost.OrdersApi).Assembly, 100),
    ];

    [Fact]
    public async Task Replicas_starting_together_apply_each_script_once_in_order()
    {
        var migrator = new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => migrator.MigrateAsync(_db.ServiceConnectionString, "testhost", Sources))));

        var applied = await _db.ColumnAsync<string>("select scriptname from testhost.schema_versions order by schemaversionsid");
        Assert.Equal(
        [
            "0000_tenancy.sql", "0001_messaging.sql", "0002_messaging_wakeups.sql", "0003_messaging_dead_letters.sql", "0004_messaging_fault_fixes.sql", "0005_messaging_costs.sql",
            "0001_testhost.sql", "0002_saga_tenancy.sql",
        ], applied.Select(name => name[(name.LastIndexOf('.', name.Length - 5) + 1)..]));
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from pg_tables where schemaname = 'testhost' and tablename = 'orders'"));

        // Running again is a no-op.
        await migrator.MigrateAsync(_db.ServiceConnectionString, "testhost", Sources);
        Assert.Equal(8L, await _db.ScalarAsync<long>("select count(*) from testhost.schema_versions"));
    }

    [Fact]
    public async Task Tables_are_owned_by_the_service_role_with_forced_row_level_security()
    {
        await new DatabaseMigrator(NullLogger<DatabaseMigrator>.Instance).MigrateAsync(_db.ServiceConnectionString, "testhost", Sources);
        Assert.Equal("testhost", await _db.ScalarAsync<string>("select tableowner from pg_tables where schemaname = 'testhost' and tablename = 'orders'"));
        Assert.True(await _db.ScalarAsync<bool>("select relforcerowsecurity from pg_class where oid = 'testhost.orders'::regclass"));
        Assert.False(await _db.ScalarAsync<bool>("select rolbypassrls or rolsuper from pg_roles where rolname = 'testhost'"));
    }
}
