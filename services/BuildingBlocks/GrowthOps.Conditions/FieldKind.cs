namespace GrowthOps.Conditions;

/// <summary>Where a field's value comes from.</summary>
public enum FieldKind
{
    /// <summary>A column of <c>segments.contacts</c>.</summary>
    Column,

    /// <summary>Whole days (rounded down) from a date column to the moment of evaluation: <c>days_inactive</c>, <c>days_in_state</c>.</summary>
    DaysSince,

    /// <summary>A key of the contact's custom attributes (<c>attributes.plan</c>).</summary>
    Attribute,

    /// <summary>A key of an activity's metadata (<c>metadata.product</c>), inside an activity condition's <c>where</c>.</summary>
    Metadata,

    /// <summary>
    /// A value of the evaluation's context by path (<c>event.amount</c>, <c>time.hour</c>, <c>steps.check.status</c>): the
    /// triggering event, the clock, a workflow run's earlier steps. Only where the caller declares the prefixes (Cortex's
    /// branches), and only in memory: criteria over the read model in SQL never have them.
    /// </summary>
    Context,
}
