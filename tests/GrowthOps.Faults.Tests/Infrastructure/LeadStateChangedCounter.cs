using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>A transition's effect: the load's carry its marker in the notes; the lifecycle's are recognised by their history id.</summary>
public sealed class LeadStateChangedCounter(EffectWriter effects) : IConsumer<LeadStateChanged>
{
    public Task Consume(ConsumeContext<LeadStateChanged> context)
    {
        var m = context.Message;
        var kind = m.TriggeredBy == LeadsLoad.TriggeredBy ? EffectKinds.Transition : EffectKinds.SystemTransition;
        return effects.WriteAsync(context.MessageId!.Value, kind, m.ContactId, m.Notes, m.HistoryId);
    }
}
