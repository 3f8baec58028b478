using System.Collections.Concurrent;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>
/// Each tenant's lead states and transitions as of a <c>leads.tenants.config_version</c>, so a transition looks them up
/// in memory instead of querying them. The version is read with the contact, in the transition's own transaction, so a
/// change committed by any replica is seen by the next transition that reads it. A snapshot is shared only once the
/// transaction that loaded it commits (a rolled-back seeding must not leave states behind).
/// </summary>
public sealed class LeadConfigCache
{
    readonly ConcurrentDictionary<Guid, LeadConfig> _byTenant = new();

    public async Task<LeadConfig> GetAsync(UnitOfWork unitOfWork, StatesStore states, long version, CancellationToken ct)
    {
        var tenant = unitOfWork.TenantId ?? throw new InvalidOperationException("Lead states need a tenant.");
        if (_byTenant.TryGetValue(tenant, out var cached) && cached.Version == version)
            return cached;

        var fresh = new LeadConfig(version, await states.ListAsync(ct), await states.ListTransitionsAsync(ct));
        unitOfWork.AfterCommit(() => _byTenant.AddOrUpdate(tenant, fresh, (_, current) => current.Version > fresh.Version ? current : fresh));
        return fresh;
    }
}
