using System.Security.Cryptography;
using System.Text;
using DbUp;
using DbUp.Engine;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace GrowthOps.Persistence;

/// <summary>
/// Applies a service's numbered SQL scripts with DbUp, journaled in <c>&lt;schema&gt;.schema_versions</c>. A session-level
/// advisory lock keyed on the schema makes replicas that start together migrate one after the other.
/// </summary>
public sealed class DatabaseMigrator(ILogger<DatabaseMigrator> logger)
{
    public async Task MigrateAsync(string connectionString, string schema, IEnumerable<MigrationSource> sources,
        CancellationToken cancellationToken = default)
    {
        await using var lockConnection = new NpgsqlConnection(connectionString);
        await lockConnection.OpenAsync(cancellationToken);
        var key = LockKey(schema);
        await using (var cmd = new NpgsqlCommand("select pg_advisory_lock($1)", lockConnection))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = key });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }

        try
        {
            // No schema argument: DbUp would try CREATE SCHEMA, which the service role may not do (it only owns its schema).
            var builder = DeployChanges.To.PostgresqlDatabase(connectionString)
                .JournalToPostgresqlTable(schema, "schema_versions")
                .WithVariable("schema", schema)
                .WithTransactionPerScript()
                .LogTo(new UpgradeLog(logger));
            foreach (var source in sources.OrderBy(s => s.Order))
                builder = builder.WithScriptsEmbeddedInAssembly(source.Assembly,
                    name => name.Contains(".Migrations.", StringComparison.Ordinal) && name.EndsWith(".sql", StringComparison.Ordinal),
                    new SqlScriptOptions { RunGroupOrder = source.Order });

            var result = builder.Build().PerformUpgrade();
            if (!result.Successful)
                throw new InvalidOperationException($"Migrating schema '{schema}' failed at {result.ErrorScript?.Name}.", result.Error);
            foreach (var script in result.Scripts)
                logger.LogInformation("Applied migration {Script} to schema {Schema}", script.Name, schema);
        }
        finally
        {
            await using var unlock = new NpgsqlCommand("select pg_advisory_unlock($1)", lockConnection);
            unlock.Parameters.Add(new NpgsqlParameter { Value = key });
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
    }

    /// <summary>A stable 64-bit key per schema (string.GetHashCode is randomised per process).</summary>
    static long LockKey(string schema) =>
        BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes("growthops:migrate:" + schema)), 0);

    sealed class UpgradeLog(ILogger logger) : IUpgradeLog
    {
        public void LogTrace(string format, params object[] args) => logger.LogTrace(format, args);
        public void LogDebug(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogInformation(string format, params object[] args) => logger.LogDebug(format, args);
        public void LogWarning(string format, params object[] args) => logger.LogWarning(format, args);
        public void LogError(string format, params object[] args) => logger.LogError(format, args);
        public void LogError(Exception ex, string format, params object[] args) => logger.LogError(ex, format, args);
    }
}
