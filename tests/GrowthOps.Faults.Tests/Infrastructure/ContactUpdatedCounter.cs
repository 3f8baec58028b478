using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>A contact update's effect; the load sets the company to the request's marker.</summary>
public sealed class ContactUpdatedCounter(EffectWriter effects) : IConsumer<ContactUpdated>
{
    public Task Consume(ConsumeContext<ContactUpdated> context) =>
        effects.WriteAsync(context.MessageId!.Value, EffectKinds.Update, context.Message.Contact.Id, context.Message.Contact.Company, context.Message.Contact.Id);
}
