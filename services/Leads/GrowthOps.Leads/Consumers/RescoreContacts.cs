namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Re-scores the tenant's contacts after <see cref="AfterId"/> (in id order), one page per message, after a training changed
/// the weights. Internal to Leads.
/// </summary>
public record RescoreContacts(Guid TenantId, Guid? AfterId, DateTimeOffset RequestedAt);
