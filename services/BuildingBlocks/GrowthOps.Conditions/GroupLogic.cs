namespace GrowthOps.Conditions;

/// <summary><c>AND</c>: all hold; <c>OR</c>: at least one holds; <c>NOT</c>: none holds (with one condition, its negation).</summary>
public enum GroupLogic
{
    And,
    Or,
    Not,
}
