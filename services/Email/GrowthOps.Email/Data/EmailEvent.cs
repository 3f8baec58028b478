namespace GrowthOps.Email.Data;

/// <summary>One row of <c>email.events</c> to record (its <see cref="DedupKey"/> makes a repeat a no-op).</summary>
public sealed record EmailEvent(
    TrackedMessage Message,
    string Type,
    string DedupKey,
    DateTimeOffset OccurredAt,
    bool Bot = false,
    string? Url = null,
    IReadOnlyDictionary<string, object?>? Details = null);
