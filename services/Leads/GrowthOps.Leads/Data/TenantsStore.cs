using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>The tenants Leads knows (those with a row in <c>leads.tenants</c>), for work done for every tenant.</summary>
public sealed class TenantsStore(UnitOfWork unitOfWork)
{
    /// <summary>
    /// Through <c>leads.list_tenants()</c>, the one place where a transaction of no tenant may see tenant ids (row-level
    /// security hides <c>leads.tenants</c> otherwise). Runs in the caller's transaction.
    /// </summary>
    public async Task<IReadOnlyList<Guid>> ListAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command("select leads.list_tenants()", null, ct))).ToList();
}
