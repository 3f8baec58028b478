namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>One look at everything a scenario checks: the leads schema, the counter's effects, the broker and the processes.</summary>
/// <param name="Rows">Per request marker, its rows in the leads schema (attribute key, history entries, activities).</param>
/// <param name="Effects">Per request marker, the counter's effect rows and how many distinct things they are about.</param>
/// <param name="DueSoon">Scheduled messages (redeliveries, timeouts) due within the next 15 s: work still on its way.</param>
public sealed record SystemState(
    IReadOnlyDictionary<string, int> Rows,
    IReadOnlyDictionary<string, SystemState.Counted> Effects,
    IReadOnlyDictionary<Guid, int> LifecycleRows,
    IReadOnlyDictionary<Guid, int> LifecycleDormantRowsPerContact,
    IReadOnlyDictionary<Guid, int> LifecycleEffects,
    IReadOnlyDictionary<Guid, int> WentDormantEffectsPerContact,
    IReadOnlyDictionary<Guid, BrokerTap.Copies> Broker,
    IReadOnlyDictionary<string, long> Queues,
    IReadOnlyDictionary<string, long> Outbox,
    IReadOnlyDictionary<string, long> DeadLetters,
    IReadOnlyDictionary<string, long> OverdueSchedules,
    IReadOnlyDictionary<string, long> DueSoon,
    IReadOnlyList<string> UnhealthyProcesses)
{
    public sealed record Counted(int Total, int Distinct);
}
