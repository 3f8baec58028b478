namespace GrowthOps.Gateway;

/// <summary>
/// Token buckets for the gateway's two rate-limit policies: one bucket per tenant for authenticated routes, one per
/// client IP for the anonymous webhook and tracking routes.
/// </summary>
public sealed class RateLimitingOptions
{
    public const string Section = "RateLimiting";

    public TokenBucketLimit PerTenant { get; set; } = new() { PermitsPerPeriod = 200, Burst = 400 };

    public TokenBucketLimit PerIp { get; set; } = new() { PermitsPerPeriod = 100, Burst = 200 };
}
