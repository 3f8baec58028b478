namespace GrowthOps.ServiceDefaults.Errors;

/// <summary>The request clashes with the current state (a duplicate name, a move the state machine does not allow, a state in use).</summary>
public class ConflictException(string message, IReadOnlyDictionary<string, object?>? details = null) : DomainException(message, details);
