namespace GrowthOps.Contracts.Cortex;

/// <summary>Enroll a contact in a multi-touch sequence (Cortex owns sequences).</summary>
public record EnrollInSequence(Guid TenantId, Guid SequenceId, Guid ContactId, string TriggeredBy, DateTimeOffset OccurredAt);
