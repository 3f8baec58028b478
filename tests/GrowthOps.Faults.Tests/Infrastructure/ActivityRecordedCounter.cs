using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>An imported activity's effect; the load's import carries its marker in every activity's metadata.</summary>
public sealed class ActivityRecordedCounter(EffectWriter effects) : IConsumer<ActivityRecorded>
{
    public Task Consume(ConsumeContext<ActivityRecorded> context)
    {
        var m = context.Message;
        var marker = m.Metadata is { } metadata && metadata.TryGetValue(LeadsLoad.ImportMarker, out var batch) ? batch.GetString() : null;
        return effects.WriteAsync(context.MessageId!.Value, EffectKinds.Activity, m.ContactId, marker, m.ActivityId);
    }
}
