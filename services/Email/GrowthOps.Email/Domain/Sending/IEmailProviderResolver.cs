namespace GrowthOps.Email.Domain.Sending;

/// <summary>
/// The provider a tenant's email goes out through: the tenant's own configuration when it has one, else the platform
/// default. Called by the pipeline once per batch, outside any tenant transaction.
/// </summary>
public interface IEmailProviderResolver
{
    ValueTask<IEmailProvider> ResolveAsync(Guid tenantId, CancellationToken ct);
}
