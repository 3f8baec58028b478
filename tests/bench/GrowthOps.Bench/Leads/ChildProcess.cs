using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using GrowthOps.Bench.Infrastructure;

namespace GrowthOps.Bench.Leads;

/// <summary>A service (or the gateway) started from its built DLL, as <c>./growthops up</c> does.</summary>
sealed class ChildProcess : IAsyncDisposable
{
    readonly Process _process;
    readonly StringBuilder _output = new();

    ChildProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    public int ProcessId => _process.Id;

    public static ChildProcess Start(string dll, IDictionary<string, string?> settings)
    {
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in settings)
            info.Environment[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        info.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{port}";
        var process = new Process { StartInfo = info };
        var child = new ChildProcess(process, new Uri($"http://127.0.0.1:{port}"));
        process.OutputDataReceived += (_, e) => child.Append(e.Data);
        process.ErrorDataReceived += (_, e) => child.Append(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return child;
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            if (_output.Length < 200_000)
                _output.AppendLine(line);
    }

    public async Task WaitReadyAsync(CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = Address, Timeout = TimeSpan.FromSeconds(10) };
        await Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
                throw new InvalidOperationException($"{Path.GetFileName(_process.StartInfo.ArgumentList[0])} exited:\n{Output}");
            try
            {
                return (await http.GetAsync("/health/ready", ct)).StatusCode == HttpStatusCode.OK;
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                return false;
            }
        }, ok => ok, TimeSpan.FromSeconds(90), $"{Address} to become ready", ct, 100);
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    bool _disposed;

    /// <summary>Kills the process; safe to call twice.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_disposed)
            return;
        _disposed = true;
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
    }

    static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
