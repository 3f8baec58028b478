namespace GrowthOps.ServiceDefaults;

/// <summary>
/// The tenant of the current unit of work: set from the token's <c>tenant_id</c> claim for HTTP requests and from
/// the message's <c>TenantId</c> for consumers. Scoped.
/// </summary>
public sealed class CurrentTenant
{
    public Guid? Id { get; private set; }

    public bool IsSet => Id.HasValue;

    /// <summary>The tenant id, or an exception when none is set: code that needs a tenant must never run without one.</summary>
    public Guid Required => Id ?? throw new InvalidOperationException("No tenant is set for this unit of work.");

    public void Set(Guid tenantId)
    {
        if (tenantId == Guid.Empty)
            throw new ArgumentException("The tenant id must not be empty.", nameof(tenantId));
        if (Id.HasValue && Id.Value != tenantId)
            throw new InvalidOperationException("The tenant of a unit of work cannot change once set.");
        Id = tenantId;
    }
}
