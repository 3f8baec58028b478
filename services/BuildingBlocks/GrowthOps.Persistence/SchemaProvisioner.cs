using System.Text.RegularExpressions;
using Npgsql;

namespace GrowthOps.Persistence;

/// <summary>
/// Creates, with a superuser connection, what a service needs before it can migrate itself: the database, a login role
/// that is neither superuser nor able to bypass row-level security, and a schema owned by that role. Idempotent and safe
/// to run concurrently. Used by tests and local development; production provisions these outside the services.
/// </summary>
public static partial class SchemaProvisioner
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,62}$")]
    private static partial Regex Identifier();

    public static async Task EnsureAsync(string adminConnectionString, string database, string schema, string role, string password,
        CancellationToken cancellationToken = default)
    {
        foreach (var name in new[] { database, schema, role })
            if (!Identifier().IsMatch(name))
                throw new ArgumentException($"'{name}' is not a plain lower-case identifier.");

        await using (var admin = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = "postgres", Pooling = false }.ConnectionString))
        {
            await admin.OpenAsync(cancellationToken);
            if (!await ExistsAsync(admin, "select 1 from pg_database where datname = $1", database, cancellationToken))
                await IgnoreDuplicate(() => ExecAsync(admin, $"create database \"{database}\"", cancellationToken));
            if (!await ExistsAsync(admin, "select 1 from pg_roles where rolname = $1", role, cancellationToken))
                await IgnoreDuplicate(() => ExecAsync(admin,
                    $"create role \"{role}\" login password '{password.Replace("'", "''", StringComparison.Ordinal)}' nosuperuser nobypassrls nocreatedb nocreaterole",
                    cancellationToken));
        }

        await using var db = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(adminConnectionString) { Database = database, Pooling = false }.ConnectionString);
        await db.OpenAsync(cancellationToken);
        await IgnoreDuplicate(() => ExecAsync(db, $"""
            create schema if not exists "{schema}" authorization "{role}";
            grant connect on database "{database}" to "{role}";
            """, cancellationToken));
    }

    static async Task<bool> ExistsAsync(NpgsqlConnection connection, string sql, string value, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.Add(new NpgsqlParameter { Value = value });
        return await cmd.ExecuteScalarAsync(ct) is not null;
    }

    static async Task ExecAsync(NpgsqlConnection connection, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Two provisioners racing on the same name: the loser's duplicate error means the object exists.</summary>
    static async Task IgnoreDuplicate(Func<Task> action)
    {
        try
        {
            await action();
        }
        catch (PostgresException e) when (e.SqlState is PostgresErrorCodes.DuplicateDatabase or PostgresErrorCodes.DuplicateObject
                                              or PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DuplicateSchema)
        {
        }
    }
}
