using System.Diagnostics;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// The PostgreSQL cluster and the RabbitMQ node the scenarios stop and start, started once for the collection in a
/// temporary folder and removed afterwards. A run that died without cleaning up (a killed test host) leaves its folder
/// with the pid of its test process; the next run stops that cluster and node and removes the folder.
/// </summary>
public sealed class FaultInfrastructure : IAsyncLifetime
{
    const string FolderPrefix = "growthops-faults-";
    const string OwnerFile = "owner.pid";

    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"{FolderPrefix}{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
    public OwnPostgres Postgres { get; private set; } = null!;
    public OwnRabbit Rabbit { get; private set; } = null!;

    /// <summary>How long starting both took (part of the project's running time).</summary>
    public TimeSpan StartedIn { get; private set; }

    public async Task InitializeAsync()
    {
        var clock = Stopwatch.StartNew();
        await CleanUpStaleRunsAsync();
        Directory.CreateDirectory(Root);
        await File.WriteAllTextAsync(Path.Combine(Root, OwnerFile), Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var postgres = OwnPostgres.CreateAsync(Root);
        var rabbit = OwnRabbit.CreateAsync(Root);
        try
        {
            await Task.WhenAll(postgres, rabbit);
        }
        catch
        {
            await DisposeStartedAsync(postgres, rabbit);
            throw;
        }

        Postgres = postgres.Result;
        Rabbit = rabbit.Result;
        StartedIn = clock.Elapsed;
    }

    public async Task DisposeAsync()
    {
        if (Rabbit is not null)
            await Rabbit.DisposeAsync();
        if (Postgres is not null)
            await Postgres.DisposeAsync();
        DeleteFolder(Root);
    }

    static async Task DisposeStartedAsync(Task<OwnPostgres> postgres, Task<OwnRabbit> rabbit)
    {
        if (postgres.IsCompletedSuccessfully)
            await postgres.Result.DisposeAsync();
        if (rabbit.IsCompletedSuccessfully)
            await rabbit.Result.DisposeAsync();
    }

    /// <summary>Stops what a dead run of this project left behind: only folders whose owning test process is gone.</summary>
    static async Task CleanUpStaleRunsAsync()
    {
        foreach (var folder in Directory.GetDirectories(Path.GetTempPath(), FolderPrefix + "*"))
        {
            var owner = Path.Combine(folder, OwnerFile);
            if (File.Exists(owner) && int.TryParse(await File.ReadAllTextAsync(owner), out var pid) && IsAlive(pid))
                continue;
            if (File.Exists(Path.Combine(OwnPostgres.DataFolder(Path.Combine(folder, "postgres")), "postmaster.pid")))
                await OwnPostgres.StopStaleAsync(Path.Combine(folder, "postgres"));
            var rabbitPid = OwnRabbit.PidFile(Path.Combine(folder, "rabbitmq"));
            if (File.Exists(rabbitPid) && int.TryParse((await File.ReadAllTextAsync(rabbitPid)).Trim(), out var vm) && IsAlive(vm))
            {
                using var process = Process.GetProcessById(vm);
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync();
            }

            DeleteFolder(folder);
        }
    }

    static bool IsAlive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static void DeleteFolder(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (IOException)
        {
            // A file still held by a process that is going away; the next run removes the rest.
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
