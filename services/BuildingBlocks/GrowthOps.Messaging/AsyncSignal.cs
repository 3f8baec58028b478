namespace GrowthOps.Messaging;

/// <summary>An auto-reset wake-up: many <see cref="Set"/> calls before one wait collapse into one wake.</summary>
public sealed class AsyncSignal
{
    readonly SemaphoreSlim _semaphore = new(0, 1);

    public void Set()
    {
        try
        {
            if (_semaphore.CurrentCount == 0)
                _semaphore.Release();
        }
        catch (SemaphoreFullException)
        {
            // Another thread set it first: already awake.
        }
    }

    /// <summary>Waits for a <see cref="Set"/> or the timeout; true when signalled.</summary>
    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken cancellationToken) => _semaphore.WaitAsync(timeout, cancellationToken);
}

/// <summary>The process-wide wake-ups of the outbox relay and the scheduler, set on local commits and by PostgreSQL NOTIFY.</summary>
public sealed class MessagingSignals
{
    public AsyncSignal Outbox { get; } = new();
    public AsyncSignal Scheduler { get; } = new();

    /// <summary>
    /// True in a process without a relay of its own: its outbox commits NOTIFY the relays of other processes. Processes
    /// with a relay wake it in process instead, because NOTIFY serialises commits server-wide.
    /// </summary>
    public bool NotifyOtherProcesses { get; init; }

    /// <summary>
    /// The scheduler queue of this process when it runs the durable scheduler: schedule and cancel commands addressed to it
    /// are written straight into <c>scheduled_message</c> in the sender's transaction instead of travelling through the
    /// outbox and the broker to the scheduler's consumer. Null when another process schedules.
    /// </summary>
    public string? LocalSchedulerQueue { get; init; }
}
