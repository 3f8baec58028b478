using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// PostgreSQL's own pgbench, TPC-B-like (scale 10, 8 clients), on a scratch database of the same server: what this machine's
/// PostgreSQL does with durable write transactions and nothing else, for comparison with a benchmark run in the same moment.
/// </summary>
static partial class PgBench
{
    public static async Task<double> TpcbAsync(TimeSpan duration, CancellationToken ct, int scale = 10, int clients = 8)
    {
        var admin = new NpgsqlConnectionStringBuilder(BenchEnvironment.PostgresAdmin);
        var name = $"bench_pgbench_{Guid.NewGuid():N}"[..30];
        await Admin(admin, $"create database {name}", ct);
        try
        {
            var env = new Dictionary<string, string> { ["PGPASSWORD"] = admin.Password ?? "" };
            string[] connection = ["-h", admin.Host ?? "127.0.0.1", "-p", admin.Port.ToString(CultureInfo.InvariantCulture), "-U", admin.Username ?? "postgres"];
            await RunAsync([.. connection, "-i", "-q", "-s", scale.ToString(CultureInfo.InvariantCulture), name], env, ct);
            var output = await RunAsync([.. connection, "-n", "-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-M", "prepared",
                "-T", ((int)duration.TotalSeconds).ToString(CultureInfo.InvariantCulture), name], env, ct);
            var tps = Tps().Match(output);
            return tps.Success
                ? double.Parse(tps.Groups[1].Value, CultureInfo.InvariantCulture)
                : throw new InvalidOperationException($"pgbench printed no tps: {output}");
        }
        finally
        {
            await Admin(admin, $"drop database if exists {name} with (force)", CancellationToken.None);
        }
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex Tps();

    static async Task Admin(NpgsqlConnectionStringBuilder admin, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(admin.ConnectionString) { Database = "postgres", Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    static async Task<string> RunAsync(string[] args, Dictionary<string, string> env, CancellationToken ct)
    {
        var binary = new[] { "/usr/lib/postgresql/15/bin/pgbench", "/usr/bin/pgbench" }.FirstOrDefault(File.Exists)
                     ?? throw new FileNotFoundException("pgbench is not installed (Debian: postgresql-15 ships it in /usr/lib/postgresql/15/bin).");
        var start = new ProcessStartInfo(binary) { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args)
            start.ArgumentList.Add(a);
        foreach (var (k, v) in env)
            start.Environment[k] = v;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        await process.WaitForExitAsync(ct);
        var output = await stdout + await stderr;
        return process.ExitCode == 0 ? output : throw new InvalidOperationException($"pgbench exited with {process.ExitCode}: {output}");
    }
}
