using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;

namespace GrowthOps.Leads.Data;

/// <summary>
/// Runs lead work in the tenant's transaction, with the tenant's default states in place: begins (and commits) the
/// unit of work for API requests, or joins the one the inbox opened for a consumed message.
/// </summary>
public sealed class LeadsTransaction(UnitOfWork unitOfWork, TenantDefaults defaults)
{
    public UnitOfWork UnitOfWork => unitOfWork;

    public async Task<T> RunAsync<T>(Func<Task<T>> work, CancellationToken ct = default)
    {
        if (unitOfWork.IsActive)
        {
            await defaults.EnsureAsync(unitOfWork, ct);
            return await work();
        }

        await unitOfWork.BeginAsync(ct);
        try
        {
            await defaults.EnsureAsync(unitOfWork, ct);
            var result = await work();
            await unitOfWork.CommitAsync(ct);
            return result;
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    /// <summary>
    /// Refuses (422) to add one more of what a tenant may have at most <paramref name="limit"/> of. The tenant's row is locked
    /// first, until commit, so that concurrent additions count one after the other and the limit holds.
    /// </summary>
    public async Task EnsureRoomAsync(Func<Task<long>> count, int limit, string what, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "select 1 from leads.tenants where tenant_id = leads.current_tenant() for update", null, ct));
        if (await count() >= limit)
            throw new RuleRefusedException($"A tenant has at most {limit} {what}; delete one first.", new Dictionary<string, object?> { ["limit"] = limit });
    }

    public Task RunAsync(Func<Task> work, CancellationToken ct = default) => RunAsync(async () =>
    {
        await work();
        return true;
    }, ct);
}
