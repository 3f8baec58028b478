namespace GrowthOps.Bench.Infrastructure;

/// <summary>Waits for a condition by polling with a deadline: the benchmark's only synchronisation on asynchronous effects.</summary>
public static class Poll
{
    public static async Task<T> UntilAsync<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan timeout, string what,
        CancellationToken cancellationToken, int intervalMs = 10)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Timed out after {timeout.TotalSeconds:F0} s waiting for {what}; last value {value}");
            await Task.Delay(intervalMs, cancellationToken);
        }
    }

    public static Task<T> UntilAsync<T>(Func<T> probe, Func<T, bool> done, TimeSpan timeout, string what, CancellationToken cancellationToken,
        int intervalMs = 10) =>
        UntilAsync(() => Task.FromResult(probe()), done, timeout, what, cancellationToken, intervalMs);
}
