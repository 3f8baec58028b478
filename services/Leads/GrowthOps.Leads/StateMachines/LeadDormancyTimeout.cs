namespace GrowthOps.Leads.StateMachines;

/// <summary>Fires when a lead has had no activity for its tenant's dormancy period. Internal to Leads.</summary>
public record LeadDormancyTimeout(Guid TenantId, Guid ContactId, DateTimeOffset OccurredAt);
