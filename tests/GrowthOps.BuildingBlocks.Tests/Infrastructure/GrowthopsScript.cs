using System.Diagnostics;
using System.Text;
using GrowthOps.Testing;
using Npgsql;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>Runs the repository's <c>growthops</c> script as an operator would, pointed at a test's own virtual host and database.</summary>
public static class GrowthopsScript
{
    public sealed record Result(int ExitCode, string Output)
    {
        public override string ToString() => $"exit code {ExitCode}:\n{Output}";
    }

    public static async Task<Result> RunAsync(TestVirtualHost vhost, TestDatabase database, params string[] args)
    {
        var admin = new NpgsqlConnectionStringBuilder(TestEnvironment.PostgresAdmin);
        var info = new ProcessStartInfo("bash")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = RepositoryRoot,
        };
        info.ArgumentList.Add(Path.Combine(RepositoryRoot, "growthops"));
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        info.Environment["GROWTHOPS_RABBIT_MGMT"] = TestEnvironment.RabbitManagement;
        info.Environment["GROWTHOPS_RABBIT_VHOST"] = vhost.Name;
        info.Environment["GROWTHOPS_RABBIT_USER"] = TestEnvironment.RabbitUser;
        info.Environment["GROWTHOPS_RABBIT_PASS"] = TestEnvironment.RabbitPassword;
        info.Environment["GROWTHOPS_PG_HOST"] = admin.Host;
        info.Environment["GROWTHOPS_PG_PORT"] = admin.Port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        info.Environment["GROWTHOPS_PG_PASSWORD"] = admin.Password;
        info.Environment["GROWTHOPS_PG_DATABASE"] = database.Name;

        using var process = Process.Start(info)!;
        process.StandardInput.Close();
        var output = new StringBuilder();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"./growthops {string.Join(' ', args)} did not finish within 3 minutes");
        }

        output.Append(await stdout).Append(await stderr);
        return new Result(process.ExitCode, output.ToString());
    }

    /// <summary>The checkout the tests were built from: the folder above the test binaries that holds the script.</summary>
    static string RepositoryRoot { get; } = FindRoot();

    static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "growthops")) && File.Exists(Path.Combine(dir.FullName, "GrowthOps.sln")))
                return dir.FullName;
        }

        throw new InvalidOperationException($"no growthops script above {AppContext.BaseDirectory}");
    }
}
