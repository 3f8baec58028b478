namespace GrowthOps.Contracts.Leads;

/// <summary>A task was completed (Cortex's <c>task.completed</c> trigger).</summary>
public record TaskCompleted(Guid TenantId, Guid TaskId, string Title, Guid? ContactId, Guid? DealId, string? CompletedBy, DateTimeOffset OccurredAt);
