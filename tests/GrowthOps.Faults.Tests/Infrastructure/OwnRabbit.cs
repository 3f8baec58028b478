using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>
/// A RabbitMQ node of the fault tests' own: its own node name, AMQP and distribution ports, data, log and
/// Erlang cookie (in its own HOME), so stopping it never touches the shared broker on 5672. Data survives a stop, as on a
/// real server: durable queues and persistent messages are there again after a start. Managed with <c>rabbitmqctl</c>
/// (live queue counts, no management plugin to start).
/// </summary>
public sealed class OwnRabbit : IAsyncDisposable
{
    const string Server = "/usr/lib/rabbitmq/bin/rabbitmq-server";
    const string Ctl = "/usr/lib/rabbitmq/bin/rabbitmqctl";

    readonly string _folder;
    readonly Dictionary<string, string> _environment;
    readonly StringBuilder _output = new();
    Process? _process;

    OwnRabbit(string folder)
    {
        _folder = folder;
        NodeName = $"faults-{Guid.NewGuid():N}"[..14] + "@localhost";
        AmqpPort = GrowthOps.Testing.ChildProcess.FreePort();
        var distPort = GrowthOps.Testing.ChildProcess.FreePort();
        _environment = new Dictionary<string, string>
        {
            // The Erlang cookie is read from $HOME: a home of its own keeps the shared node's cookie out of it (and works as root).
            ["HOME"] = Path.Combine(folder, "home"),
            ["RABBITMQ_NODENAME"] = NodeName,
            ["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1",
            ["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_DIST_PORT"] = distPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RABBITMQ_MNESIA_BASE"] = Path.Combine(folder, "mnesia"),
            ["RABBITMQ_LOG_BASE"] = Path.Combine(folder, "log"),
            ["RABBITMQ_CONFIG_FILE"] = Path.Combine(folder, "rabbitmq.conf"),
            ["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(folder, "advanced.config"),
            ["RABBITMQ_ENABLED_PLUGINS_FILE"] = Path.Combine(folder, "enabled_plugins"),
            ["RABBITMQ_CONF_ENV_FILE"] = Path.Combine(folder, "rabbitmq-env.conf"),
            ["RABBITMQ_PID_FILE"] = PidFile(folder),
        };
    }

    public string NodeName { get; }
    public int AmqpPort { get; }
    public const string User = "guest";
    public const string Password = "guest";

    /// <summary>Where the node writes the Erlang VM's pid (a stale node from a crashed run is found by it).</summary>
    public static string PidFile(string folder) => Path.Combine(folder, "rabbit.pid");

    public static async Task<OwnRabbit> CreateAsync(string root)
    {
        if (!File.Exists(Server))
            throw new InvalidOperationException($"{Server} is missing: install rabbitmq-server (./growthops test does).");
        var folder = Path.Combine(root, "rabbitmq");
        var rabbit = new OwnRabbit(folder);
        Directory.CreateDirectory(Path.Combine(folder, "home"));
        Directory.CreateDirectory(Path.Combine(folder, "mnesia"));
        Directory.CreateDirectory(Path.Combine(folder, "log"));
        var cookie = Path.Combine(folder, "home", ".erlang.cookie");
        await File.WriteAllTextAsync(cookie, Guid.NewGuid().ToString("N").ToUpperInvariant());
        // Erlang refuses a cookie others can read.
        if (!OperatingSystem.IsWindows())
            File.SetUnixFileMode(cookie, UnixFileMode.UserRead);
        await File.WriteAllTextAsync(Path.Combine(folder, "rabbitmq.conf"), $"""
            listeners.tcp.default = 127.0.0.1:{rabbit.AmqpPort}
            """);
        await File.WriteAllTextAsync(Path.Combine(folder, "advanced.config"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "enabled_plugins"), "[].\n");
        await File.WriteAllTextAsync(Path.Combine(folder, "rabbitmq-env.conf"), "");
        await rabbit.StartAsync();
        return rabbit;
    }

    /// <summary>Starts the node and waits until it accepts AMQP connections (its listeners open once it has booted).</summary>
    public async Task StartAsync()
    {
        var info = new ProcessStartInfo(Server) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = _folder };
        foreach (var (key, value) in _environment)
            info.Environment[key] = value;
        _process = new Process { StartInfo = info };
        _process.OutputDataReceived += (_, e) => Append(e.Data);
        _process.ErrorDataReceived += (_, e) => Append(e.Data);
        _process.Start();
        _process.BeginOutputReadLine();
        _process.BeginErrorReadLine();
        var process = _process;
        await Eventually.Until(async () =>
        {
            if (process.HasExited)
                throw new InvalidOperationException($"RabbitMQ node {NodeName} exited with {process.ExitCode}:\n{Output}");
            return await AmqpListensAsync();
        }, ok => ok, TimeSpan.FromSeconds(120), $"RabbitMQ node {NodeName} accepts connections");
    }

    /// <summary>Stops the node the way an operator does (<c>rabbitmqctl stop</c>) and waits until its VM has exited.</summary>
    public async Task StopAsync()
    {
        await CtlAsync("stop");
        if (_process is { } process)
        {
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await process.WaitForExitAsync(cts.Token);
            process.Dispose();
            _process = null;
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
                return _output.ToString();
        }
    }

    void Append(string? line)
    {
        if (line is null)
            return;
        lock (_output)
            if (_output.Length < 200_000)
                _output.AppendLine(line);
    }

    async Task<bool> AmqpListensAsync()
    {
        using var client = new TcpClient();
        try
        {
            await client.ConnectAsync("127.0.0.1", AmqpPort);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public async Task CreateVirtualHostAsync(string name)
    {
        await CtlAsync("add_vhost", name);
        await CtlAsync("set_permissions", "-p", name, User, ".*", ".*", ".*");
    }

    public async Task DeleteVirtualHostAsync(string name)
    {
        try
        {
            await CtlAsync("delete_vhost", name);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            // The node is going away with the fixture anyway.
        }
    }

    /// <summary>Every queue of a virtual host with its messages (ready + unacknowledged), counted live by the node.</summary>
    public async Task<IReadOnlyDictionary<string, long>> QueuesAsync(string vhost)
    {
        var text = await CtlAsync("list_queues", "-p", vhost, "--quiet", "--formatter", "json", "name", "messages");
        using var json = JsonDocument.Parse(text);
        return json.RootElement.EnumerateArray().ToDictionary(q => q.GetProperty("name").GetString()!,
            q => q.TryGetProperty("messages", out var m) && m.ValueKind == JsonValueKind.Number ? m.GetInt64() : 0);
    }

    Task<string> CtlAsync(params string[] args) => OsCommand.RunAsync(Ctl, ["-n", NodeName, .. args], TimeSpan.FromSeconds(60), environment: _environment);

    public async ValueTask DisposeAsync()
    {
        if (_process is not { } process)
            return;
        try
        {
            if (!process.HasExited)
                await StopAsync();
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or OperationCanceledException)
        {
            // rabbitmqctl could not reach it: the VM is ours, end it.
            if (!process.HasExited)
                process.Kill(entireProcessTree: true);
        }
    }
}
