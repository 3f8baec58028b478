using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.Testing;

/// <summary>A database of its own for one test class, provisioned like a real one (role + owned schema), dropped afterwards.</summary>
public sealed class TestDatabase : IAsyncDisposable
{
    TestDatabase(string name, string schema, string role)
    {
        Name = name;
        Schema = schema;
        Role = role;
    }

    public string Name { get; }
    public string Schema { get; }
    public string Role { get; }

    /// <summary>The service's own connection: its role, subject to row-level security.</summary>
    public string ServiceConnectionString => new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin)
    {
        // Loopback: TLS would only cost CPU.
        Database = Name, Username = Role, Password = Role, MaxPoolSize = 40, SslMode = SslMode.Disable,
    }.ConnectionString;

    /// <summary>A superuser connection to this database, for assertions (superusers bypass row-level security).</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = Name, Pooling = false }.ConnectionString;

    public static async Task<TestDatabase> CreateAsync(string schema = "testhost", string? role = null)
    {
        var name = $"t_{schema}_{Guid.NewGuid():N}"[..30];
        role ??= schema;
        await SchemaProvisioner.EnsureAsync(TestEnvironment.PostgresAdmin, name, schema, role, role);
        return new TestDatabase(name, schema, role);
    }

    public async Task<T> ScalarAsync<T>(string sql, params object[] parameters)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        foreach (var p in parameters)
            cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        var result = await cmd.ExecuteScalarAsync();
        return result is null or DBNull ? default! : (T)Convert.ChangeType(result, typeof(T), System.Globalization.CultureInfo.InvariantCulture);
    }

    public async Task<List<T>> ColumnAsync<T>(string sql)
    {
        await using var connection = new NpgsqlConnection(AdminConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        var list = new List<T>();
        while (await reader.ReadAsync())
            list.Add(reader.GetFieldValue<T>(0));
        return list;
    }

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand($"drop database if exists \"{Name}\" with (force)", connection);
        await cmd.ExecuteNonQueryAsync();
    }
}
