namespace GrowthOps.Contracts.Cortex;

/// <summary>Stop a contact's enrolment in a sequence (a workflow's <c>remove_from_sequence</c>; Cortex owns sequences), with the reason recorded.</summary>
public record StopSequence(Guid TenantId, Guid CommandId, Guid SequenceId, Guid ContactId, string Reason, string RequestedBy, DateTimeOffset OccurredAt);
