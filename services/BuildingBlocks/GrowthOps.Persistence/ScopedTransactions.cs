using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Persistence;

/// <summary>Background work's transactions: each in a scope of its own, as a request or a consumed message has.</summary>
public static class ScopedTransactions
{
    /// <summary>
    /// Runs <paramref name="work"/> with a new scope's services in a transaction of <paramref name="tenantId"/> (null: no
    /// tenant, for statements that claim work across tenants) and commits it; rolls back and rethrows when it throws.
    /// </summary>
    public static async Task<T> InTransactionAsync<T>(this IServiceScopeFactory scopes, Guid? tenantId, Func<IServiceProvider, Task<T>> work,
        CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenantId, cancellationToken);
        try
        {
            var result = await work(scope.ServiceProvider);
            await unitOfWork.CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }
}
