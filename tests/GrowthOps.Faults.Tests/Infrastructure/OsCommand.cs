using System.Diagnostics;
using System.Text;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>Runs an OS command (initdb, pg_ctl, rabbitmqctl) to completion with a deadline, and fails with its output.</summary>
public static class OsCommand
{
    public static bool IsRoot => Environment.IsPrivilegedProcess;

    /// <summary>Runs <paramref name="file"/>, as the OS user <paramref name="asUser"/> when this process is root (PostgreSQL refuses root).</summary>
    public static async Task<string> RunAsync(string file, IEnumerable<string> args, TimeSpan timeout, string? asUser = null,
        IEnumerable<KeyValuePair<string, string>>? environment = null, bool check = true)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = "/",
        };
        if (asUser is not null && IsRoot)
        {
            info.FileName = "runuser";
            foreach (var a in new[] { "-u", asUser, "--", file })
                info.ArgumentList.Add(a);
        }

        foreach (var arg in args)
            info.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? [])
            info.Environment[key] = value;

        var output = new StringBuilder();
        using var process = new Process { StartInfo = info };
        process.OutputDataReceived += (_, e) => Append(output, e.Data);
        process.ErrorDataReceived += (_, e) => Append(output, e.Data);
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var cts = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(cts.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{Describe(info)} did not finish within {timeout}:\n{Text(output)}");
        }

        // The asynchronous readers may still hold the last lines.
        process.WaitForExit();
        if (check && process.ExitCode != 0)
            throw new InvalidOperationException($"{Describe(info)} exited with {process.ExitCode}:\n{Text(output)}");
        return Text(output);
    }

    static void Append(StringBuilder output, string? line)
    {
        if (line is null)
            return;
        lock (output)
            output.AppendLine(line);
    }

    static string Text(StringBuilder output)
    {
        lock (output)
            return output.ToString();
    }

    static string Describe(ProcessStartInfo info) => $"{info.FileName} {string.Join(' ', info.ArgumentList)}";
}
