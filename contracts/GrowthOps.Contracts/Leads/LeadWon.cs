namespace GrowthOps.Contracts.Leads;

/// <summary>A lead entered <c>won</c>; Revenue records a revenue event from it.</summary>
public record LeadWon(Guid TenantId, Guid ContactId, Guid HistoryId, string? Source, string? Channel, ContactSnapshot Contact, DateTimeOffset OccurredAt);
