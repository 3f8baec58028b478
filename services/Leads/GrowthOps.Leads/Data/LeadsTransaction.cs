using GrowthOps.Persistence;

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

    public Task RunAsync(Func<Task> work, CancellationToken ct = default) => RunAsync(async () =>
    {
        await work();
        return true;
    }, ct);
}
