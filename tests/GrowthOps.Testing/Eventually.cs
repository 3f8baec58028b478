namespace GrowthOps.Testing;

/// <summary>Polls for a condition with a deadline: the synchronisation for asynchronous effects, instead of sleeps.</summary>
public static class Eventually
{
    public static async Task<T> Until<T>(Func<Task<T>> probe, Func<T, bool> done, TimeSpan? timeout = null, string? because = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
        T value;
        while (true)
        {
            value = await probe();
            if (done(value))
                return value;
            if (DateTime.UtcNow > deadline)
                throw new TimeoutException($"Condition not met within {timeout ?? TimeSpan.FromSeconds(30)}: {because}; last value {value}");
            await Task.Delay(50);
        }
    }
}
