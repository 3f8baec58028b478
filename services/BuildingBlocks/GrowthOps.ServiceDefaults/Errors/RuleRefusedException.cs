namespace GrowthOps.ServiceDefaults.Errors;

/// <summary>
/// The request is well formed but a business rule refuses it (a transition that needs notes, a state name that does not exist,
/// nothing to predict from). Shape errors of a request are validation problems instead, answered before the domain runs.
/// </summary>
public class RuleRefusedException(string message, IReadOnlyDictionary<string, object?>? details = null) : DomainException(message, details);
