using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using GrowthOps.Email.Domain.Sending;

namespace GrowthOps.Bench.Email;

/// <summary>Listens to the service's own <c>growthops.email.batch.step.duration</c> histogram: total and count per step.</summary>
sealed class StepRecorder : IDisposable
{
    readonly MeterListener _listener = new();
    readonly ConcurrentDictionary<string, (double Sum, long Count)> _steps = new();

    public StepRecorder()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == SendingMetrics.MeterName && instrument.Name == "growthops.email.batch.step.duration")
                listener.EnableMeasurementEvents(instrument);
        };
        _listener.SetMeasurementEventCallback<double>((_, value, tags, _) =>
        {
            string? step = null;
            foreach (var tag in tags)
                if (tag.Key == "step")
                    step = tag.Value as string;
            if (step is not null)
                _steps.AddOrUpdate(step, (value, 1), (_, v) => (v.Sum + value, v.Count + 1));
        });
        _listener.Start();
    }

    public void Reset() => _steps.Clear();

    /// <summary>"claim 38.1 ms × 200, render …": mean per call and number of calls, in pipeline order.</summary>
    public string Report()
    {
        string[] order = ["find", "claim", "render", "throttle", "send", "record", "publish", "commit"];
        return string.Join(", ", order.Where(_steps.ContainsKey).Select(s =>
        {
            var (sum, count) = _steps[s];
            return $"{s} {sum / count:F1} ms × {count} (total {sum / 1000:F1} s)";
        }));
    }

    public void Dispose() => _listener.Dispose();
}
