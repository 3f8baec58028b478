namespace GrowthOps.Segments.Domain.Criteria;

/// <summary>The seed's 14 operators; <see cref="CriteriaOperators"/> has their names and which types they apply to.</summary>
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
}
