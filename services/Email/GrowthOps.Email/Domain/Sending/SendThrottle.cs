using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// Emails per second per provider and per sending domain in this process (token buckets of one second's worth): a batch
/// waits for its permits before it goes out. With several replicas each has its own buckets, so set the rates per replica.
/// </summary>
public sealed class SendThrottle(IOptions<SendingOptions> options) : IDisposable
{
    readonly ConcurrentDictionary<string, TokenBucketRateLimiter> buckets = new();

    /// <summary>
    /// The most emails one batch may hold: a second's worth at the lowest rate, so that a throttled broadcast goes out as a
    /// steady stream of small batches (each a short transaction) instead of a long wait and then a burst.
    /// </summary>
    public int LargestBatch
    {
        get
        {
            var o = options.Value;
            var rates = new[] { o.ProviderRatePerSecond, o.DomainRatePerSecond }.Where(r => r > 0).ToArray();
            return rates.Length == 0 ? int.MaxValue : rates.Min();
        }
    }

    public async Task WaitAsync(string provider, IEnumerable<OutgoingEmail> batch, CancellationToken ct)
    {
        var o = options.Value;
        var emails = batch.ToList();
        if (o.ProviderRatePerSecond > 0)
            await AcquireAsync($"provider:{provider}", o.ProviderRatePerSecond, emails.Count, ct);
        if (o.DomainRatePerSecond > 0)
            foreach (var domain in emails.GroupBy(e => Domain(e.From)))
                await AcquireAsync($"domain:{domain.Key}", o.DomainRatePerSecond, domain.Count(), ct);
    }

    async Task AcquireAsync(string key, int perSecond, int count, CancellationToken ct)
    {
        var bucket = buckets.GetOrAdd(key, _ => new TokenBucketRateLimiter(new TokenBucketRateLimiterOptions
        {
            TokenLimit = perSecond,
            TokensPerPeriod = perSecond,
            ReplenishmentPeriod = TimeSpan.FromSeconds(1),
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        }));
        // A lease asks for at most a bucket's worth; a batch larger than that waits for several.
        while (count > 0)
        {
            var take = Math.Min(count, perSecond);
            using var lease = await bucket.AcquireAsync(take, ct);
            count -= take;
        }
    }

    static string Domain(string address)
    {
        var at = address.LastIndexOf('@');
        return (at < 0 ? address : address[(at + 1)..]).Trim('>', ' ').ToLowerInvariant();
    }

    public void Dispose()
    {
        foreach (var bucket in buckets.Values)
            bucket.Dispose();
    }
}
