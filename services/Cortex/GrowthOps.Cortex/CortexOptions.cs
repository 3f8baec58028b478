namespace GrowthOps.Cortex;

/// <summary>Cortex's settings (section <c>Cortex</c>).</summary>
public sealed class CortexOptions
{
    public const string Section = "Cortex";

    /// <summary>
    /// Delays before each retry of a failed action (the seed's: immediately, 1 min, 5 min, 15 min, 1 h, 6 h); after the last
    /// the step is dead-lettered. Null by default because configuration binding appends to an array.
    /// </summary>
    public TimeSpan[]? Retries { get; set; }

    public TimeSpan[] RetrySchedule => Retries ??
        [TimeSpan.Zero, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(15), TimeSpan.FromHours(1), TimeSpan.FromHours(6)];

    /// <summary>Longest an http_request or send_webhook action waits for an answer unless its config says otherwise.</summary>
    public TimeSpan HttpTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Steps executed at once per lane (<c>Cortex:LaneConcurrency:high</c> …); a lane without a value takes the messaging
    /// default. The low lane (schedules, batches) can be held back so that it leaves the database to the others.
    /// </summary>
    public Dictionary<string, int> LaneConcurrency { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>How often each replica looks for due schedules (their occurrences fire within this of their time).</summary>
    public TimeSpan SchedulePollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Where the outside world reaches the gateway: webhook.received URLs are built on it.</summary>
    public string PublicBaseUrl { get; set; } = "http://127.0.0.1:8080";

    /// <summary>A host's circuit opens when this share of its calls in <see cref="CircuitSamplingDuration"/> failed…</summary>
    public double CircuitFailureRatio { get; set; } = 0.5;

    /// <summary>…once at least this many calls were made in it…</summary>
    public int CircuitMinimumThroughput { get; set; } = 5;

    public TimeSpan CircuitSamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>…and stays open this long before a trial call.</summary>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Base64 of a 32-byte key that seals the tenants' secrets (cortex.secrets) at rest.</summary>
    public string SecretsKey { get; set; } = "";

    /// <summary>
    /// Sequence steps' waits (delay_days, delay_hours, delay_minutes) are multiplied by this: 1 in production; a rehearsal
    /// installation (or a test) runs a sequence of days in seconds with e.g. 0.00001. Windows and send times are not scaled.
    /// </summary>
    [System.ComponentModel.DataAnnotations.Range(1e-9, 1.0)]
    public double SequenceDelayScale { get; set; } = 1;

    /// <summary>Enrolments <c>POST /campaigns/{id}/assign-sequence</c> and <c>POST /leads/enroll-in-sequence</c> take at once.</summary>
    public int MaxEnrollmentBatch { get; set; } = 10_000;

    /// <summary>Twilio's API (send_sms); a Twilio-compatible provider or a test's fake elsewhere.</summary>
    public string TwilioBaseUrl { get; set; } = "https://api.twilio.com";
}
