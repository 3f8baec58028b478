namespace GrowthOps.Leads.Domain;

/// <summary>
/// A state as the next-state model sees it: the contact's current state or one it may move to. <paramref name="IsExit"/>
/// marks targets reachable by an any-state rule (lost, dormant in the defaults) — ways out of the pipeline rather than
/// steps along it.
/// </summary>
public sealed record PredictionCandidate(Guid Id, string Name, int Position, bool IsExit = false);
