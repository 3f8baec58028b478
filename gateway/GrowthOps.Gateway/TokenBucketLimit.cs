using System.Threading.RateLimiting;

namespace GrowthOps.Gateway;

/// <summary>
/// <see cref="PermitsPerPeriod"/> requests are added every <see cref="Period"/>, up to <see cref="Burst"/> saved up.
/// A period rather than a per-second rate so that a limit can be made too slow to refill during a test.
/// </summary>
public sealed class TokenBucketLimit
{
    public int PermitsPerPeriod { get; set; }

    public TimeSpan Period { get; set; } = TimeSpan.FromSeconds(1);

    public int Burst { get; set; }

    public bool IsValid => PermitsPerPeriod > 0 && Burst > 0 && Period > TimeSpan.Zero;

    public TokenBucketRateLimiterOptions ToLimiterOptions() => new()
    {
        TokensPerPeriod = PermitsPerPeriod,
        ReplenishmentPeriod = Period,
        TokenLimit = Burst,
        // Over the limit answers at once: a queued request would only hold a connection open in the gateway.
        QueueLimit = 0,
        AutoReplenishment = true,
    };
}
