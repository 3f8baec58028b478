namespace GrowthOps.ServiceDefaults.Errors;

/// <summary>
/// A refusal by the domain: what was asked cannot be done, for a reason the caller can act on. Thrown from stores, rules, sagas
/// and consumers alike; none of them chooses an HTTP status — <see cref="ProblemDetailsExceptionHandler"/> does, in one place.
/// </summary>
/// <param name="message">Why, in words a client can show (the problem's <c>detail</c>).</param>
/// <param name="details">What a client needs to act on it (snake_case keys, written as members of the problem, such as <c>allowed_targets</c>).</param>
public abstract class DomainException(string message, IReadOnlyDictionary<string, object?>? details = null) : Exception(message)
{
    public IReadOnlyDictionary<string, object?> Details { get; } = details ?? new Dictionary<string, object?>();
}
