namespace GrowthOps.Contracts.Cortex;

/// <summary>
/// Enroll a contact in a multi-touch sequence (Cortex owns sequences). A contact already going through the sequence is not
/// enrolled twice; one that completed it or was stopped starts again only with <see cref="Reenroll"/>. <see cref="CampaignId"/>:
/// the campaign (segment) it came through, when it did.
/// </summary>
public record EnrollInSequence(Guid TenantId, Guid SequenceId, Guid ContactId, string TriggeredBy, DateTimeOffset OccurredAt, Guid? CampaignId = null,
    bool Reenroll = false);
