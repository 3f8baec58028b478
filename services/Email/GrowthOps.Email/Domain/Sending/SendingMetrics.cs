using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// The sending pipeline's meters (<c>GrowthOps.Email</c>, exported by the service defaults' OpenTelemetry): emails by
/// outcome, and each batch step's duration (<c>step</c>: find, claim, render, throttle, send, record, publish, commit), so an
/// operator sees where a slow broadcast spends its time.
/// </summary>
public static class SendingMetrics
{
    public const string MeterName = "GrowthOps.Email";

    static readonly Meter Meter = new(MeterName);
    static readonly Counter<long> Emails = Meter.CreateCounter<long>("growthops.email.emails", "{email}", "Emails the pipeline finished a batch with, by status");
    static readonly Histogram<double> Steps = Meter.CreateHistogram<double>("growthops.email.batch.step.duration", "ms", "Time of one step of one batch");

    public static void Outcome(string status, short lane, int count) =>
        Emails.Add(count, new KeyValuePair<string, object?>("status", status), new KeyValuePair<string, object?>("lane", lane));

    /// <summary>Records the time since <paramref name="started"/> as <paramref name="step"/> and returns a new start.</summary>
    public static long Step(string step, short lane, long started)
    {
        var now = Stopwatch.GetTimestamp();
        Steps.Record(Stopwatch.GetElapsedTime(started, now).TotalMilliseconds,
            new KeyValuePair<string, object?>("step", step), new KeyValuePair<string, object?>("lane", lane));
        return now;
    }
}
