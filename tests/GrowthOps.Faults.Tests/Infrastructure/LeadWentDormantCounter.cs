using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>A dormancy timeout that moved a lead: one per timeout that fired, however often the scheduler sent it.</summary>
public sealed class LeadWentDormantCounter(EffectWriter effects) : IConsumer<LeadWentDormant>
{
    public Task Consume(ConsumeContext<LeadWentDormant> context) =>
        effects.WriteAsync(context.MessageId!.Value, EffectKinds.WentDormant, context.Message.ContactId, null, context.Message.ContactId);
}
