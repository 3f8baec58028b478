namespace GrowthOps.Conditions;

/// <summary>
/// A validated criteria tree, ready for either back end: <see cref="CriteriaSql"/> (a parameterised WHERE fragment over the
/// read model, for refreshes and counts) and <see cref="CriteriaEvaluator"/> (a predicate over one <see cref="ContactFacts"/>,
/// for per-event evaluation and explanations). Both give every contact the same answer; the property tests hold them to it.
/// <para>
/// Semantics both implement: a condition on an empty field (SQL null, a missing or JSON-null attribute, or an attribute of
/// another JSON type than the condition's) is false, and its negated operator true; groups are then plain two-valued logic
/// (never SQL's unknown). Text compares ignoring the case of A–Z only; numbers compare exactly; instants at microseconds;
/// dates compare by UTC day for <c>equals</c>/<c>not_equals</c>; relative dates resolve at the moment of evaluation.
/// </para>
/// </summary>
public sealed class Criteria
{
    internal Criteria(CriteriaGroup root)
    {
        Root = root;
        IsTimeDependent = DependsOnTime(root);
        ReadsActivities = HasActivities(root);
    }

    /// <summary>Whether any condition counts activities (an evaluator without it needs no activities loaded).</summary>
    public bool ReadsActivities { get; }

    static bool HasActivities(Criterion node) => node switch
    {
        CriteriaGroup g => g.Conditions.Any(HasActivities),
        ActivityCondition => true,
        _ => false,
    };

    public CriteriaGroup Root { get; }

    /// <summary>
    /// Whether membership can change with no event, only because time passes: relative dates, <c>days_*</c> fields and
    /// activity windows.
    /// </summary>
    public bool IsTimeDependent { get; }

    static bool DependsOnTime(Criterion node) => node switch
    {
        CriteriaGroup g => g.Conditions.Any(DependsOnTime),
        ActivityCondition a => a.WindowDays is not null,
        FieldCondition f => f.Field.Kind == FieldKind.DaysSince || f.Operand.Dates.Any(d => d.IsRelative),
        _ => false,
    };
}
