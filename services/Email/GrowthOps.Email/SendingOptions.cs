using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email;

/// <summary>The sending pipeline (section <c>Email:Sending</c>).</summary>
public sealed class SendingOptions
{
    public const string Section = "Email:Sending";

    /// <summary>Run the workers in this process (a replica that only serves the API can turn them off).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Emails claimed and sent together: one Postmark batch request holds at most 500.</summary>
    [Range(1, 500)]
    public int BatchSize { get; set; } = 500;

    /// <summary>Workers per process for campaigns (lane 1); each holds one batch at a time.</summary>
    [Range(0, 64)]
    public int BroadcastWorkers { get; set; } = 2;

    /// <summary>Workers per process for everything else (lane 0), apart from the broadcast ones so never behind them.</summary>
    [Range(0, 64)]
    public int TransactionalWorkers { get; set; } = 1;

    /// <summary>How often an idle worker looks for due email.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Attempts of an email that keeps failing for now (HTTP 429/5xx, timeouts, SMTP 4xx) before it is failed as <c>gave_up</c>.</summary>
    [Range(1, 100)]
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The first retry's delay; each next one doubles (with ±20 % jitter) up to <see cref="RetryMaxDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan RetryMaxDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Emails per second through one provider (per process), 0 = unlimited.</summary>
    [Range(0, 1_000_000)]
    public int ProviderRatePerSecond { get; set; }

    /// <summary>Emails per second from one sending domain (the From address's, per process), 0 = unlimited.</summary>
    [Range(0, 1_000_000)]
    public int DomainRatePerSecond { get; set; }

    /// <summary>From address when neither the email nor its campaign names one.</summary>
    [Required, EmailAddress]
    public string DefaultFrom { get; set; } = "no-reply@growthops.local";
}
