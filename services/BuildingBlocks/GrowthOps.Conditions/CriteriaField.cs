namespace GrowthOps.Conditions;

/// <summary>
/// A field criteria can test. <see cref="Column"/> is the SQL over the contacts row (<c>{0}</c> stands for its alias) and
/// <see cref="Read"/> the same value from <see cref="ContactFacts"/>: a string, an <see cref="ExactNumber"/>, a bool, a
/// <see cref="DateTimeOffset"/> or the tag list (for <see cref="FieldKind.DaysSince"/>, the date counted from). For
/// attribute and metadata fields, <see cref="Key"/> is the JSON key; their <see cref="Type"/> is null only for an untyped
/// <c>is_null</c>/<c>is_not_null</c>.
/// </summary>
public sealed record CriteriaField(string Name, FieldType? Type, FieldKind Kind, string? Column = null, Func<ContactFacts, object?>? Read = null,
    string? Key = null);
