using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Persistence;

/// <summary>Provisions (when an admin connection is configured) and migrates the schema before anything else starts.</summary>
sealed class MigrationHostedService(
    IOptions<PostgresOptions> options,
    IConfiguration configuration,
    IEnumerable<MigrationSource> sources,
    DatabaseMigrator migrator) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var o = options.Value;
        var connectionString = PersistenceExtensions.GetConnectionString(configuration);
        if (!string.IsNullOrWhiteSpace(o.AdminConnectionString))
        {
            var csb = new NpgsqlConnectionStringBuilder(connectionString);
            await SchemaProvisioner.EnsureAsync(o.AdminConnectionString, csb.Database!, o.Schema, csb.Username!, csb.Password ?? "", cancellationToken);
        }

        if (o.MigrateOnStart)
            await migrator.MigrateAsync(connectionString, o.Schema, sources, cancellationToken);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
