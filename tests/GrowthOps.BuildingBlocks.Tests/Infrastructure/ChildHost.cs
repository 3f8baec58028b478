using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>The test host as a real child process, so crash tests can kill it (or let it FailFast) for real.</summary>
public sealed class ChildHost : IAsyncDisposable
{
    readonly ChildProcess _process;

    ChildHost(ChildProcess process) => _process = process;

    public Uri BaseAddress => _process.BaseAddress;

    public string Output => _process.Output;

    public bool HasExited => _process.HasExited;

    public static ChildHost Start(Dictionary<string, string?> settings, IDictionary<string, string>? environment = null, params string[] args)
    {
        var env = new Dictionary<string, string> { ["ASPNETCORE_ENVIRONMENT"] = "Testing", ["DOTNET_gcServer"] = "0" };
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
            env[key] = value;
        return new ChildHost(ChildProcess.Start(Path.Combine(AppContext.BaseDirectory, "GrowthOps.TestHost.dll"), settings, env, null, args));
    }

    public Task WaitReadyAsync(TimeSpan? timeout = null) => _process.WaitReadyAsync(timeout);

    public Task<int> WaitForExitAsync(TimeSpan timeout) => _process.WaitForExitAsync(timeout);

    /// <summary>SIGKILL: no shutdown hooks, no flushing — what a crash or an OOM kill looks like.</summary>
    public Task KillAsync() => _process.KillAsync();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
