namespace GrowthOps.Contracts.Leads;

/// <summary>A deal entered a closed-lost stage (the amount it would have been, in the minor unit of <see cref="Currency"/>).</summary>
public record DealLost(
    Guid TenantId,
    Guid DealId,
    string Name,
    long? AmountMinor,
    decimal? Amount,
    string Currency,
    Guid PipelineId,
    string Stage,
    IReadOnlyList<Guid> ContactIds,
    string? OwnerId,
    string? TriggeredBy,
    DateTimeOffset OccurredAt);
