namespace GrowthOps.Leads.Data;

/// <summary>A tenant's lead states and transitions, with the lookups of <see cref="StatesStore"/> done in memory.</summary>
public sealed class LeadConfig(long version, IReadOnlyList<LeadState> states, IReadOnlyList<LeadTransition> transitions)
{
    readonly Dictionary<Guid, LeadState> _states = states.ToDictionary(s => s.Id);
    readonly Dictionary<Guid, LeadTransition> _transitions = transitions.ToDictionary(t => t.Id);

    public long Version { get; } = version;

    /// <summary>By id (its canonical text), or by name, case-insensitive — as <see cref="StatesStore.FindAsync"/>.</summary>
    public LeadState? Find(string idOrName) =>
        states.FirstOrDefault(s => s.Id.ToString() == idOrName) ?? states.FirstOrDefault(s => string.Equals(s.Name, idOrName, StringComparison.OrdinalIgnoreCase));

    public LeadState? Get(Guid id) => _states.GetValueOrDefault(id);

    public LeadTransition? GetTransition(Guid id) => _transitions.GetValueOrDefault(id);

    /// <summary>The transition that allows from → to: the specific pair first, else an any-state rule.</summary>
    public LeadTransition? FindAllowed(Guid? fromStateId, Guid toStateId) =>
        transitions.Where(t => t.ToStateId == toStateId && (t.FromStateId is null || t.FromStateId == fromStateId))
            .OrderBy(t => t.FromStateId is null)
            .FirstOrDefault();
}
