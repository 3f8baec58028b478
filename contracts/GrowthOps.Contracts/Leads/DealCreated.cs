namespace GrowthOps.Contracts.Leads;

/// <summary>A deal was created in Leads (<see cref="AmountMinor"/> in the minor unit of <see cref="Currency"/>); Cortex's <c>deal.created</c> trigger.</summary>
public record DealCreated(
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
    string? Source,
    string? Channel,
    string? TriggeredBy,
    DateTimeOffset OccurredAt);
