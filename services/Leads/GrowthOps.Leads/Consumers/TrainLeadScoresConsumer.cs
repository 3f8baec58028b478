using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Behind the inbox like every consumer: for one tenant, trains in its transaction (the re-scoring it starts goes to the
/// outbox in it); for every tenant, asks for one training per tenant, so each trains in a transaction of its own.
/// </summary>
public sealed class TrainLeadScoresConsumer(LeadsTransaction tx, TenantsStore tenants, LeadScoring scoring) : IConsumer<TrainLeadScores>
{
    public async Task Consume(ConsumeContext<TrainLeadScores> context)
    {
        var ct = context.CancellationToken;
        if (context.Message.TenantId is null)
        {
            foreach (var tenantId in await tenants.ListAsync(ct))
                await context.Publish(context.Message with { TenantId = tenantId }, ct);
            return;
        }

        await tx.RunAsync(() => scoring.TrainAsync(ct), ct);
    }
}
