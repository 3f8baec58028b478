namespace GrowthOps.Conditions;

/// <summary>The seeds' operators (Segments' 14, and the automation engine's <c>starts_with</c>/<c>ends_with</c>); <see cref="CriteriaOperators"/> has their names and which types they apply to.</summary>
public enum CriteriaOperator
{
    Equals,
    NotEquals,
    GreaterThan,
    LessThan,
    GreaterThanOrEquals,
    LessThanOrEquals,
    Contains,
    NotContains,
    In,
    NotIn,
    IsNull,
    IsNotNull,
    Between,
    Regex,
    StartsWith,
    EndsWith,
}
