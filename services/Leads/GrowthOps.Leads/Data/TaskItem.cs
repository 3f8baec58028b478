namespace GrowthOps.Leads.Data;

/// <summary>A task on a contact or a deal.</summary>
public sealed record TaskItem(Guid Id, string Title, string? Description, Guid? ContactId, Guid? DealId, DateTime? DueAt, string? Timezone,
    string? AssigneeId, string Priority, string Status, DateTime? CompletedAt, string? CompletedBy, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);
