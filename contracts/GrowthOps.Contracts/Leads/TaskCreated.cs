namespace GrowthOps.Contracts.Leads;

/// <summary>A task was created on a contact or a deal (Cortex's <c>task.created</c> trigger).</summary>
public record TaskCreated(Guid TenantId, Guid TaskId, string Title, Guid? ContactId, Guid? DealId, DateTimeOffset? DueAt, string? AssigneeId,
    string Priority, string? CreatedBy, DateTimeOffset OccurredAt);
