using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Persistence.Idempotency;

/// <summary>How long responses to <c>Idempotency-Key</c> requests are kept, and how they are cleaned up (section <c>Idempotency</c>).</summary>
public sealed class IdempotencyOptions
{
    public const string Section = "Idempotency";

    /// <summary>A key is replayed for this long after its first response; later it may be used again for anything.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "30.00:00:00")]
    public TimeSpan Retention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>Pause between clean-up runs; each run deletes expired keys until none are left.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "1.00:00:00")]
    public TimeSpan CleanupInterval { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Expired keys deleted per statement, so the clean-up never holds many row locks for long.</summary>
    [Range(1, 100_000)]
    public int CleanupBatchSize { get; set; } = 1000;
}
