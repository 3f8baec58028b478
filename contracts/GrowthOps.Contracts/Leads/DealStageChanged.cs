namespace GrowthOps.Contracts.Leads;

/// <summary>
/// A deal moved to another stage: from Leads' deals API or a command (<see cref="Source"/> <c>api</c> / <c>automation</c>),
/// or from a verified HubSpot webhook (<c>hubspot</c>: <see cref="PortalId"/> and <see cref="HubSpotEventId"/> set, and
/// <see cref="DealId"/> HubSpot's id until HubSpot deals are kept in Leads). Revenue and Attribution consume it.
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
    string? TriggeredBy = null);
