namespace GrowthOps.Conditions;

/// <summary>
/// Operator names as the seed writes them, and which field types each applies to. <c>not_equals</c>, <c>not_contains</c>,
/// <c>not_in</c> and <c>is_not_null</c> are exactly the negation of their positive operator: a contact whose field is
/// empty does not equal, contain or fall in anything, so it matches every negated operator (<c>status not_equals
/// 'churned'</c> holds for a contact without a status).
/// </summary>
public static class CriteriaOperators
{
    static readonly Dictionary<string, CriteriaOperator> ByName = new(StringComparer.Ordinal)
    {
        ["equals"] = CriteriaOperator.Equals,
        ["not_equals"] = CriteriaOperator.NotEquals,
        ["greater_than"] = CriteriaOperator.GreaterThan,
        ["less_than"] = CriteriaOperator.LessThan,
        ["greater_than_or_equals"] = CriteriaOperator.GreaterThanOrEquals,
        ["less_than_or_equals"] = CriteriaOperator.LessThanOrEquals,
        ["contains"] = CriteriaOperator.Contains,
        ["not_contains"] = CriteriaOperator.NotContains,
        ["in"] = CriteriaOperator.In,
        ["not_in"] = CriteriaOperator.NotIn,
        ["is_null"] = CriteriaOperator.IsNull,
        ["is_not_null"] = CriteriaOperator.IsNotNull,
        ["between"] = CriteriaOperator.Between,
        ["regex"] = CriteriaOperator.Regex,
        ["starts_with"] = CriteriaOperator.StartsWith,
        ["ends_with"] = CriteriaOperator.EndsWith,
    };

    /// <summary>The automation engine seed's spellings of the same operators (accepted, never written back).</summary>
    static readonly Dictionary<string, CriteriaOperator> Aliases = new(StringComparer.Ordinal)
    {
        ["greater_or_equal"] = CriteriaOperator.GreaterThanOrEquals,
        ["less_or_equal"] = CriteriaOperator.LessThanOrEquals,
        ["regex_match"] = CriteriaOperator.Regex,
        ["is_empty"] = CriteriaOperator.IsNull,
        ["is_not_empty"] = CriteriaOperator.IsNotNull,
    };

    static readonly Dictionary<CriteriaOperator, string> Names = ByName.ToDictionary(p => p.Value, p => p.Key);

    public static IEnumerable<string> All => ByName.Keys;

    public static bool TryParse(string name, out CriteriaOperator op) => ByName.TryGetValue(name, out op) || Aliases.TryGetValue(name, out op);

    public static string Name(CriteriaOperator op) => Names[op];

    /// <summary>The positive operator a negated one negates (<c>not_in</c> → <c>in</c>); null for a positive operator.</summary>
    public static CriteriaOperator? Negates(CriteriaOperator op) => op switch
    {
        CriteriaOperator.NotEquals => CriteriaOperator.Equals,
        CriteriaOperator.NotContains => CriteriaOperator.Contains,
        CriteriaOperator.NotIn => CriteriaOperator.In,
        CriteriaOperator.IsNotNull => CriteriaOperator.IsNull,
        _ => null,
    };

    public static bool AppliesTo(CriteriaOperator op, FieldType type) => (Negates(op) ?? op) switch
    {
        CriteriaOperator.IsNull => true,
        CriteriaOperator.Equals => type is not FieldType.Tags,
        CriteriaOperator.In => type is FieldType.Number or FieldType.Text or FieldType.Tags,
        CriteriaOperator.Contains => type is FieldType.Text or FieldType.Tags,
        CriteriaOperator.GreaterThan or CriteriaOperator.LessThan or CriteriaOperator.GreaterThanOrEquals
            or CriteriaOperator.LessThanOrEquals or CriteriaOperator.Between => type is FieldType.Number or FieldType.Date,
        CriteriaOperator.Regex or CriteriaOperator.StartsWith or CriteriaOperator.EndsWith => type is FieldType.Text,
        _ => false,
    };

    public static IEnumerable<string> For(FieldType type) => ByName.Where(p => AppliesTo(p.Value, type)).Select(p => p.Key);
}
