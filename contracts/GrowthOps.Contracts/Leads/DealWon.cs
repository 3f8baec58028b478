namespace GrowthOps.Contracts.Leads;

/// <summary>
/// A deal entered a closed-won stage. <see cref="AmountMinor"/> is in the minor unit of <see cref="Currency"/> (ISO 4217:
/// cents for EUR, yen for JPY); Revenue records revenue from it.
/// </summary>
public record DealWon(
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
