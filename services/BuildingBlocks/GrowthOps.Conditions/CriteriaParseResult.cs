namespace GrowthOps.Conditions;

/// <summary>Parsed criteria, or every problem found (never both).</summary>
public sealed record CriteriaParseResult(Criteria? Criteria, IReadOnlyList<CriteriaError> Errors)
{
    public bool IsValid => Criteria is not null;

    /// <summary>The errors keyed by path, for a validation problem (RFC 7807 <c>errors</c>).</summary>
    public Dictionary<string, string[]> ErrorDictionary() =>
        Errors.GroupBy(e => e.Path, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Select(e => e.Message).ToArray(), StringComparer.Ordinal);
}
