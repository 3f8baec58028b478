using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Runs the lead state automations of each state change. Behind the inbox: one transaction per message, in the message's
/// tenant, with everything the actions publish going to the outbox in that transaction.
/// </summary>
public sealed class LeadStateChangedConsumer(LeadsTransaction tx, AutomationRunner runner) : IConsumer<LeadStateChanged>
{
    public Task Consume(ConsumeContext<LeadStateChanged> context) =>
        tx.RunAsync(() => runner.RunAsync(context.Message, context.CancellationToken), context.CancellationToken);
}
