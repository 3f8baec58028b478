using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>A fresh database provisioned like a service's (login role + owned schema, via <see cref="SchemaProvisioner"/>); dropped on dispose.</summary>
public sealed class BenchDatabase : IAsyncDisposable
{
    BenchDatabase(string name, string schema, string role)
    {
        Name = name;
        Schema = schema;
        Role = role;
    }

    public string Name { get; }
    public string Schema { get; }
    public string Role { get; }

    /// <summary>The service's own connection (its role, not a superuser), as a deployed service would have.</summary>
    public string ServiceConnectionString => new NpgsqlConnectionStringBuilder(BenchEnvironment.PostgresAdmin + ";" + ExtraServiceSettings)
    {
        Database = Name, Username = Role, Password = Role, MaxPoolSize = 100,
    }.ConnectionString;

    /// <summary>Diagnostic: connection string settings added to the service's (e.g. <c>No Reset On Close=true</c>).</summary>
    public static string ExtraServiceSettings { get; set; } = "SSL Mode=Disable";

    /// <summary>A superuser connection to this database, for checks and counters.</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder(BenchEnvironment.PostgresAdmin)
    {
        Database = Name, Pooling = false, ApplicationName = "growthops-bench-probe",
    }.ConnectionString;

    public static async Task<BenchDatabase> CreateAsync(string tag, string schema = "bench", CancellationToken cancellationToken = default)
    {
        var name = $"bench_{tag}_{Guid.NewGuid():N}"[..30];
        var database = new BenchDatabase(name, schema, schema);
        CpuSampler.TrackDatabase(name);
        try
        {
            await SchemaProvisioner.EnsureAsync(BenchEnvironment.PostgresAdmin, name, schema, schema, schema, cancellationToken);
        }
        catch
        {
            await database.DisposeAsync();
            throw;
        }

        return database;
    }

    /// <summary>A long-lived probe connection (polling counters must not take the service's pool or a new backend per poll).</summary>
    public async Task<NpgsqlConnection> OpenProbeAsync(CancellationToken cancellationToken = default)
    {
        var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }

    public async Task<long> CountAsync(string sql, CancellationToken cancellationToken = default)
    {
        await using var connection = await OpenProbeAsync(cancellationToken);
        return await CountAsync(connection, sql, cancellationToken);
    }

    public static async Task<long> CountAsync(NpgsqlConnection connection, string sql, CancellationToken cancellationToken = default)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(cancellationToken), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async ValueTask DisposeAsync()
    {
        // GROWTHOPS_BENCH_KEEP_DB=1 leaves the database for a look at its plans afterwards (EXPLAIN).
        if (Environment.GetEnvironmentVariable("GROWTHOPS_BENCH_KEEP_DB") == "1")
        {
            BenchOutput.Progress($"kept database {Name}");
            return;
        }

        try
        {
            NpgsqlConnection.ClearAllPools();
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(BenchEnvironment.PostgresAdmin)
            {
                Database = "postgres", Pooling = false,
            }.ConnectionString);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        catch (Exception e)
        {
            BenchOutput.Progress($"could not drop database {Name}: {e.Message}");
        }
    }
}
