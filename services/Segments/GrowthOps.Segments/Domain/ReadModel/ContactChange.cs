namespace GrowthOps.Segments.Domain.ReadModel;

/// <summary>Contacts of one tenant whose read-model rows changed in the current transaction, and why.</summary>
public sealed record ContactChange(Guid TenantId, IReadOnlyList<Guid> ContactIds, ContactChangeCause Cause);
