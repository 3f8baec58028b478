namespace GrowthOps.Contracts.Leads;

/// <summary>A HubSpot deal's <c>dealstage</c> changed (from a verified webhook); Revenue and Attribution consume it.</summary>
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
    DateTimeOffset OccurredAt);
