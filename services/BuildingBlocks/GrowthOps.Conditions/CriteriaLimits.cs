namespace GrowthOps.Conditions;

/// <summary>How large criteria may be: bounds that keep one evaluation cheap in memory and one SQL statement sane.</summary>
public static class CriteriaLimits
{
    /// <summary>Conditions (field and activity conditions, metadata conditions included) in one criteria tree.</summary>
    public const int MaxConditions = 100;

    /// <summary>Group nesting, the root group being depth 1.</summary>
    public const int MaxDepth = 8;

    /// <summary>Characters of a text value (and of an activity type, attribute or metadata key: 100).</summary>
    public const int MaxTextLength = 1000;

    public const int MaxKeyLength = 100;

    /// <summary>Values of an <c>in</c> / <c>not_in</c> list.</summary>
    public const int MaxListLength = 1000;

    public const int MaxRegexLength = 200;

    /// <summary>Atoms a pattern may unroll to through counted repetition (<c>(ab){50}</c> is 100).</summary>
    public const int MaxRegexSize = 1000;

    public const int MaxRegexRepeat = 100;

    public const int MaxRegexNesting = 10;

    /// <summary>Bound of <c>days_inactive</c> / <c>days_in_state</c> values and of relative dates: about 270 years either way.</summary>
    public const int MaxDays = 100_000;

    /// <summary>Bound of <c>at_least</c> / <c>at_most</c>.</summary>
    public const int MaxActivityCount = 1_000_000;
}
