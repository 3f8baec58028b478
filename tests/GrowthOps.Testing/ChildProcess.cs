using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace GrowthOps.Testing;

/// <summary>
/// A built .NET host (a service, the test host) run as a real child process from its own output folder, as
/// <c>./growthops up</c> runs it: settings go in as environment variables, its output is kept for diagnosis, and it can
/// be killed for real (SIGKILL: no shutdown hooks, no flushing — what a crash or an OOM kill looks like).
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    const int MaxOutput = 400_000;

    readonly Process _process;
    readonly StringBuilder _output = new();

    ChildProcess(Process process, Uri baseAddress)
    {
        _process = process;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>The process id (still known once it has exited).</summary>
    public int Id { get; private set; }

    public bool HasExited => _process.HasExited;

    /// <summary>Its standard output and error so far (the first 400,000 characters).</summary>
    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    /// <summary>
    /// Starts <c>dotnet <paramref name="dll"/></c> listening on <paramref name="port"/> (a free one when null; give the
    /// same port to a restarted process so its clients keep their address). Configuration keys such as
    /// <c>RabbitMq:Host</c> become <c>RabbitMq__Host</c>.
    /// </summary>
    public static ChildProcess Start(string dll, IEnumerable<KeyValuePair<string, string?>> settings,
        IEnumerable<KeyValuePair<string, string>>? environment = null, int? port = null, params string[] args)
    {
        if (!File.Exists(dll))
            throw new FileNotFoundException($"{dll} is missing: build the solution first.", dll);
        var listen = port ?? FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root is the working directory: the host's appsettings*.json are next to its DLL.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{listen}";
        foreach (var (key, value) in environment ?? [])
            info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var child = new ChildProcess(process, new Uri($"http://127.0.0.1:{listen}"));
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        child.Id = process.Id;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            if (_output.Length < MaxOutput)
                _output.AppendLine(line);
    }

    /// <summary>Polls <c>/health/ready</c> until it answers 200; fails at once if the process exits.</summary>
    public async Task WaitReadyAsync(TimeSpan? timeout = null)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        await Eventually.Until(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(_process.StartInfo.ArgumentList[0])} exited with {_process.ExitCode}:\n{Output}");
            try
            {
                using var response = await http.GetAsync("/health/ready");
                return response.StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // Not listening yet, or too slow to answer on a loaded machine: ask again.
                return false;
            }
        }, ok => ok, timeout ?? TimeSpan.FromSeconds(60), $"{BaseAddress} becomes ready");
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        await _process.WaitForExitAsync(cts.Token);
        return _process.ExitCode;
    }

    /// <summary>SIGKILL (<c>kill -9</c>) of the process and its children.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
            _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
    }

    bool _disposed;

    /// <summary>Kills the process; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        await KillAsync();
        _process.Dispose();
    }

    /// <summary>A port nothing listens on right now (the OS picks it from its ephemeral range).</summary>
    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
