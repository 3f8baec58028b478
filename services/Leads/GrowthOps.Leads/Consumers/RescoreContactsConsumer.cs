using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>One page of re-scoring per message, in the message's tenant and transaction (see <see cref="LeadScoring.RescorePageAsync"/>).</summary>
public sealed class RescoreContactsConsumer(LeadsTransaction tx, LeadScoring scoring) : IConsumer<RescoreContacts>
{
    public Task Consume(ConsumeContext<RescoreContacts> context) =>
        tx.RunAsync(() => scoring.RescorePageAsync(context.Message, context.CancellationToken), context.CancellationToken);
}
