namespace GrowthOps.Contracts.Leads;

/// <summary>
/// A deal moved to another stage: from Leads' deals API or a command (<see cref="Source"/> <c>api</c> / <c>automation</c>),
/// or from a verified HubSpot webhook (<c>hubspot</c>: <see cref="PortalId"/>, <see cref="HubSpotEventId"/> and
/// <see cref="ExternalDealId"/>, HubSpot's deal id, set). <see cref="DealId"/> is the Leads deal's id; HubSpot deals are kept in
/// Leads too (a HubSpot stage no pipeline has leaves the Leads deal where it is, and the event carries HubSpot's stage).
/// Revenue and Attribution consume it.
/// </summary>
public record DealStageChanged(
    Guid TenantId,
    string DealId,
    long PortalId,
    string? StageFrom,
    string StageTo,
    decimal? Amount,
    Guid? ContactId,
    string? ContactEmail,
    long HubSpotEventId,
    DateTimeOffset OccurredAt,
    string Source = "hubspot",
    string? Currency = null,
    Guid? PipelineId = null,
    IReadOnlyList<Guid>? ContactIds = null,
    string? TriggeredBy = null,
    string? ExternalDealId = null);
