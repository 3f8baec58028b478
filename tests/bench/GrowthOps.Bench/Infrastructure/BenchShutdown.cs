using System.Runtime.InteropServices;

namespace GrowthOps.Bench.Infrastructure;

/// <summary>
/// Ctrl+C / SIGTERM cancel the run instead of killing the process, so the hosts stop and the databases and virtual hosts are
/// dropped by the benchmark's finally blocks. A second signal is not intercepted.
/// </summary>
public sealed class BenchShutdown : IDisposable
{
    readonly List<PosixSignalRegistration> _registrations = [];

    public static BenchShutdown Register(CancellationTokenSource cancellation)
    {
        var shutdown = new BenchShutdown();
        foreach (var signal in new[] { PosixSignal.SIGINT, PosixSignal.SIGTERM })
            shutdown._registrations.Add(PosixSignalRegistration.Create(signal, context =>
            {
                if (cancellation.IsCancellationRequested)
                    return;
                Console.Error.WriteLine($"{context.Signal}: stopping and cleaning up (send again to kill)");
                context.Cancel = true;
                cancellation.Cancel();
            }));
        return shutdown;
    }

    public void Dispose()
    {
        foreach (var registration in _registrations)
            registration.Dispose();
    }
}
