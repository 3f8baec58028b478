namespace GrowthOps.Conditions;

/// <summary>
/// Why a contact does or does not match, node by node (the dry-run <c>evaluate</c>): the condition as written, whether it
/// held, and what the contact has there (<c>"85"</c>, <c>"null"</c>, <c>"3 times"</c>).
/// </summary>
public sealed record CriteriaExplanation(string Path, string Condition, bool Matched, string? Actual, IReadOnlyList<CriteriaExplanation> Conditions);
