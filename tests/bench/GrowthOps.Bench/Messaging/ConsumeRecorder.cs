using System.Collections.Concurrent;
using System.Diagnostics;

namespace GrowthOps.Bench.Messaging;

/// <summary>When each message (by id) was first seen by a consumer, on the <see cref="Stopwatch"/> clock; first and last of all.</summary>
public sealed class ConsumeRecorder
{
    readonly ConcurrentDictionary<Guid, long> _times = new();
    long _count;
    long _first = long.MaxValue;
    long _last = long.MinValue;

    /// <summary>Distinct messages seen (a retried message counts once).</summary>
    public long Count => Interlocked.Read(ref _count);

    public IReadOnlyDictionary<Guid, long> Times => _times;

    public TimeSpan FirstToLast => Count == 0 ? TimeSpan.Zero : Stopwatch.GetElapsedTime(Interlocked.Read(ref _first), Interlocked.Read(ref _last));

    public long First => Interlocked.Read(ref _first);

    public long Last => Interlocked.Read(ref _last);

    public void Record(Guid id)
    {
        var now = Stopwatch.GetTimestamp();
        if (!_times.TryAdd(id, now))
            return;
        long seen;
        while (now < (seen = Interlocked.Read(ref _first)) && Interlocked.CompareExchange(ref _first, now, seen) != seen)
        {
        }

        while (now > (seen = Interlocked.Read(ref _last)) && Interlocked.CompareExchange(ref _last, now, seen) != seen)
        {
        }

        Interlocked.Increment(ref _count);
    }

    /// <summary>Forget everything (after a warm-up whose messages have all been consumed).</summary>
    public void Reset()
    {
        _times.Clear();
        Interlocked.Exchange(ref _first, long.MaxValue);
        Interlocked.Exchange(ref _last, long.MinValue);
        Interlocked.Exchange(ref _count, 0);
    }
}
