using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Predictive;
using MassTransit;

namespace GrowthOps.Segments.Consumers;

/// <summary>
/// Behind the inbox like every consumer: for one tenant, trains in its transaction (the membership changes it causes go to
/// the outbox in it); for every tenant, asks for one training per tenant with outcomes, so each trains in a transaction of
/// its own.
/// </summary>
public sealed class TrainPropensityConsumer(UnitOfWork unitOfWork, PropensityTraining training) : IConsumer<TrainPropensity>
{
    public async Task Consume(ConsumeContext<TrainPropensity> context)
    {
        var ct = context.CancellationToken;
        if (context.Message.TenantId is null)
        {
            // segments.list_tenants_with_outcomes() is the one place a transaction of no tenant may read tenant ids.
            foreach (var tenantId in await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command("select segments.list_tenants_with_outcomes()", null, ct)))
                await context.Publish(context.Message with { TenantId = tenantId }, ct);
            return;
        }

        await training.TrainAsync(ct);
    }
}
