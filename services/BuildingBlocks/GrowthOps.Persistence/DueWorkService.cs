using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Persistence;

/// <summary>
/// A loop on every replica that runs the work due now (<see cref="RunDueAsync"/>: claims under <c>FOR UPDATE SKIP LOCKED</c>,
/// so replicas take different pieces), then waits <see cref="Interval"/> in real time — the clock decides what is due, the
/// interval only how often to look. A failed round is logged and the next one tries again; stopping ends the loop.
/// </summary>
public abstract class DueWorkService(ILogger logger) : BackgroundService
{
    /// <summary>How long to wait between rounds.</summary>
    protected abstract TimeSpan Interval { get; }

    /// <summary>What a round does, for the log ("claiming due campaigns").</summary>
    protected abstract string Work { get; }

    /// <summary>Runs every piece of work due now; returns how many ran.</summary>
    public abstract Task<int> RunDueAsync(CancellationToken ct);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunDueAsync(stoppingToken);
            }
            catch (Exception e) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(e, "{Work} failed; will try again", Work);
            }

            await Task.Delay(Interval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }
}
