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
        string[] expected =
        [
            "Persistence.Migrations.0000_tenancy.sql", "Persistence.Migrations.0001_idempotency.sql", "Messaging.Migrations.0001_messaging.sql",
            "Messaging.Migrations.0002_messaging_wakeups.sql", "Messaging.Migrations.0003_messaging_dead_letters.sql",
            "Messaging.Migrations.0004_messaging_fault_fixes.sql", "Messaging.Migrations.0005_messaging_costs.sql",
            "TestHost.Data.Migrations.0001_testhost.sql", "TestHost.Data.Migrations.0002_saga_tenancy.sql",
        ];
        Assert.Equal(expected.Length, applied.Count);
        foreach (var (script, name) in applied.Zip(expected))
            Assert.EndsWith(name, script, StringComparison.Ordinal);
        Assert.Equal(1L, await _db.ScalarAsync<long>("select count(*) from pg_tables where schemaname = 'testhost' and tablename = 'orders'"));

        // Running again is a no-op.
        await migrator.MigrateAsync(_db.ServiceConnectionString, "testhost", Sources);
        Assert.Equal((long)expected.Length, await _db.ScalarAsync<long>("select count(*) from testhost.schema_versions"));
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
