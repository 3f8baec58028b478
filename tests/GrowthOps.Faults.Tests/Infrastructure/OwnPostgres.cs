using GrowthOps.Persistence;
using Npgsql;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// A PostgreSQL cluster of the fault tests' own (<c>initdb</c> in a temporary folder, its own port and socket folder), run
/// as the <c>postgres</c> OS user because PostgreSQL refuses to run as root. Stopping it never touches the shared server
/// on 5432.
/// </summary>
public sealed class OwnPostgres : IAsyncDisposable
{
    const string OsUser = "postgres";
    const string SuperuserPassword = "faults-superuser";

    readonly string _folder;

    OwnPostgres(string folder, int port)
    {
        _folder = folder;
        Port = port;
    }

    public int Port { get; }

    public static string DataFolder(string folder) => Path.Combine(folder, "data");

    string Data => DataFolder(_folder);

    string? RunAs => OsCommand.IsRoot ? OsUser : null;

    /// <summary>Superuser over TCP, unpooled (assertions and provisioning only).</summary>
    public string AdminConnectionString => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = "postgres", Password = SuperuserPassword, Database = "postgres", Pooling = false,
        SslMode = SslMode.Disable,
    }.ConnectionString;

    /// <summary>A service's own connection to <paramref name="database"/>: its role, subject to row-level security.</summary>
    public string ServiceConnectionString(string database, string role) => new NpgsqlConnectionStringBuilder
    {
        Host = "127.0.0.1", Port = Port, Username = role, Password = role, Database = database, SslMode = SslMode.Disable, MaxPoolSize = 40,
    }.ConnectionString;

    public string AdminConnectionStringFor(string database) =>
        new NpgsqlConnectionStringBuilder(AdminConnectionString) { Database = database }.ConnectionString;

    /// <summary>The PostgreSQL 15 server programs (the newest installed version otherwise).</summary>
    public static string BinFolder()
    {
        const string preferred = "/usr/lib/postgresql/15/bin";
        if (File.Exists(Path.Combine(preferred, "initdb")))
            return preferred;
        return Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql").Select(d => Path.Combine(d, "bin")).Where(b => File.Exists(Path.Combine(b, "initdb")))
                  .OrderByDescending(b => b, StringComparer.Ordinal).FirstOrDefault()
              ?? throw new InvalidOperationException("No PostgreSQL server programs under /usr/lib/postgresql (install postgresql-15).")
            : throw new InvalidOperationException("No PostgreSQL server programs under /usr/lib/postgresql (install postgresql-15).");
    }

    public static async Task<OwnPostgres> CreateAsync(string root)
    {
        var folder = Path.Combine(root, "postgres");
        Directory.CreateDirectory(folder);
        var cluster = new OwnPostgres(folder, GrowthOps.Testing.ChildProcess.FreePort());
        var passwordFile = Path.Combine(folder, "superuser-password");
        await File.WriteAllTextAsync(passwordFile, SuperuserPassword);
        if (cluster.RunAs is { } user)
            await OsCommand.RunAsync("chown", ["-R", $"{user}:", folder], TimeSpan.FromSeconds(30));

        await OsCommand.RunAsync(Path.Combine(BinFolder(), "initdb"),
            ["-D", cluster.Data, "-U", "postgres", $"--pwfile={passwordFile}", "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8",
                "--locale=C", "--no-sync"], TimeSpan.FromSeconds(120), cluster.RunAs);
        // Its own port and socket folder; fsync off because a stop here is always clean (no OS crash to survive) and the
        // machine is shared; synchronous commit stays on, so a committed transaction is in the WAL the server replays.
        await File.AppendAllTextAsync(Path.Combine(cluster.Data, "postgresql.conf"), $"""

            port = {cluster.Port}
            listen_addresses = '127.0.0.1'
            unix_socket_directories = '{folder}'
            max_connections = 200
            fsync = off
            full_page_writes = off
            log_min_messages = warning

            """);
        await cluster.StartAsync();
        return cluster;
    }

    public Task StartAsync() =>
        OsCommand.RunAsync(Path.Combine(BinFolder(), "pg_ctl"), ["-D", Data, "-l", Path.Combine(_folder, "server.log"), "-w", "-t", "120", "start"],
            TimeSpan.FromSeconds(150), RunAs);

    /// <summary>A fast shutdown, as <c>systemctl stop postgresql</c> does: open sessions are terminated, in-flight transactions roll back.</summary>
    public Task StopAsync() =>
        OsCommand.RunAsync(Path.Combine(BinFolder(), "pg_ctl"), ["-D", Data, "-m", "fast", "-w", "-t", "120", "stop"], TimeSpan.FromSeconds(150), RunAs);

    /// <summary>A database provisioned like a real one: one role and one owned schema per service.</summary>
    public async Task CreateDatabaseAsync(string database, params string[] schemas)
    {
        foreach (var schema in schemas)
            await SchemaProvisioner.EnsureAsync(AdminConnectionString, database, schema, schema, schema);
    }

    /// <summary>Stops a cluster left by a run that died (its folder and data are removed by the caller).</summary>
    public static Task StopStaleAsync(string folder) =>
        OsCommand.RunAsync(Path.Combine(BinFolder(), "pg_ctl"), ["-D", DataFolder(folder), "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(60),
            OsCommand.IsRoot ? OsUser : null, check: false);

    public async ValueTask DisposeAsync()
    {
        NpgsqlConnection.ClearAllPools();
        if (File.Exists(Path.Combine(Data, "postmaster.pid")))
            await OsCommand.RunAsync(Path.Combine(BinFolder(), "pg_ctl"), ["-D", Data, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(60), RunAs,
                check: false);
    }
}
