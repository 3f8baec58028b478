namespace GrowthOps.Faults.Tests.Infrastructure;

/// <summary>One look at everything a scenario checks: the leads schema, the counter's effects, the broker and the processes.</summary>
public sealed record SystemState(
    IReadOnlySet<string> UpdateRows,
    IReadOnlyDictionary<string, int> TransitionRows,
    IReadOnlyDictionary<(string Kind, string Marker), int> Effects,
    IReadOnlyDictionary<Guid, int> LifecycleRows,
    IReadOnlyDictionary<Guid, int> LifecycleDormantRowsPerContact,
    IReadOnlyDictionary<Guid, int> LifecycleEffects,
    IReadOnlyDictionary<Guid, int> WentDormantEffectsPerContact,
    IReadOnlyDictionary<Guid, BrokerTap.Copies> Broker,
    IReadOnlyDictionary<string, long> Queues,
    IReadOnlyDictionary<string, long> Outbox,
    IReadOnlyDictionary<string, long> DeadLetters,
    IReadOnlyDictionary<string, long> OverdueSchedules,
    IReadOnlyList<string> UnhealthyProcesses);
