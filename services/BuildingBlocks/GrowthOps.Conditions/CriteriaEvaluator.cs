using System.Globalization;
using System.Text.Json;

namespace GrowthOps.Conditions;

/// <summary>
/// The in-memory back end: whether one contact of the read model matches, and why. Two-valued throughout: an empty field
/// makes a condition false (and its negated operator true), exactly what <see cref="CriteriaSql"/> makes of SQL's nulls.
/// </summary>
public static class CriteriaEvaluator
{
    public static bool Matches(Criteria criteria, ContactFacts contact, DateTimeOffset now) =>
        Holds(criteria.Root, contact, null, PgTime.Truncate(now));

    public static CriteriaExplanation Explain(Criteria criteria, ContactFacts contact, DateTimeOffset now) =>
        Explain(criteria.Root, contact, null, PgTime.Truncate(now));

    static bool Holds(Criterion node, ContactFacts contact, ActivityFact? activity, DateTimeOffset now) => node switch
    {
        CriteriaGroup g => g.Logic switch
        {
            GroupLogic.And => g.Conditions.All(c => Holds(c, contact, activity, now)),
            GroupLogic.Or => g.Conditions.Any(c => Holds(c, contact, activity, now)),
            _ => !g.Conditions.Any(c => Holds(c, contact, activity, now)),
        },
        FieldCondition f => Holds(f, Read(f.Field, contact, activity, now), now),
        ActivityCondition a => Holds(a, Count(a, contact, now)),
        _ => throw new ArgumentOutOfRangeException(nameof(node)),
    };

    static bool Holds(ActivityCondition a, long count) => (count >= a.AtLeast && (a.AtMost is null || count <= a.AtMost)) == a.HasDone;

    static long Count(ActivityCondition a, ContactFacts contact, DateTimeOffset now)
    {
        if (a.WindowDays is not { } days)
            return contact.ActivityTotals.TryGetValue(a.Type, out var totals) ? totals.Count : 0;
        var since = now.AddTicks(-days * TimeSpan.TicksPerDay);
        return contact.Activities.LongCount(x => string.Equals(x.Type, a.Type, StringComparison.Ordinal) && PgTime.Truncate(x.OccurredAt) >= since &&
                                                 (a.Where is null || Holds(a.Where, contact, x, now)));
    }

    static bool Holds(FieldCondition f, object? value, DateTimeOffset now)
    {
        var negated = CriteriaOperators.Negates(f.Operator);
        var positive = Positive(negated ?? f.Operator, f.Field.Type, value, f.Operand, now);
        return negated is null ? positive : !positive;
    }

    static bool Positive(CriteriaOperator op, FieldType? type, object? value, Operand operand, DateTimeOffset now)
    {
        if (op == CriteriaOperator.IsNull)
            return value is null || value is IReadOnlyList<string> { Count: 0 };
        if (value is null)
            return false;
        switch (type)
        {
            case FieldType.Number:
            {
                var x = (ExactNumber)value;
                var n = operand.ExactNumbers;
                return op switch
                {
                    CriteriaOperator.Equals => x == n[0],
                    CriteriaOperator.GreaterThan => x > n[0],
                    CriteriaOperator.LessThan => x < n[0],
                    CriteriaOperator.GreaterThanOrEquals => x >= n[0],
                    CriteriaOperator.LessThanOrEquals => x <= n[0],
                    CriteriaOperator.Between => x >= n[0] && x <= n[1],
                    CriteriaOperator.In => n.Contains(x),
                    _ => false,
                };
            }
            case FieldType.Text:
            {
                var x = (string)value;
                var folded = AsciiCase.Fold(x);
                return op switch
                {
                    CriteriaOperator.Equals => string.Equals(folded, operand.Texts[0], StringComparison.Ordinal),
                    CriteriaOperator.Contains => folded.Contains(operand.Texts[0], StringComparison.Ordinal),
                    CriteriaOperator.StartsWith => folded.StartsWith(operand.Texts[0], StringComparison.Ordinal),
                    CriteriaOperator.EndsWith => folded.EndsWith(operand.Texts[0], StringComparison.Ordinal),
                    CriteriaOperator.In => operand.Texts.Contains(folded, StringComparer.Ordinal),
                    CriteriaOperator.Regex => operand.Pattern!.IsMatch(x),
                    _ => false,
                };
            }
            case FieldType.Date:
            {
                var x = (DateTimeOffset)value;
                var v = operand.Dates.Select(d => d.Resolve(now)).ToArray();
                return op switch
                {
                    CriteriaOperator.Equals => x >= DateValue.Midnight(v[0]) && x < DateValue.Midnight(v[0]).AddDays(1),
                    CriteriaOperator.GreaterThan => x > v[0],
                    CriteriaOperator.LessThan => x < v[0],
                    CriteriaOperator.GreaterThanOrEquals => x >= v[0],
                    CriteriaOperator.LessThanOrEquals => x <= v[0],
                    CriteriaOperator.Between => x >= v[0] && x <= v[1],
                    _ => false,
                };
            }
            case FieldType.Boolean:
                return op == CriteriaOperator.Equals && (bool)value == operand.Boolean;
            case FieldType.Tags:
            {
                var tags = (IReadOnlyList<string>)value;
                return op switch
                {
                    CriteriaOperator.Contains => tags.Contains(operand.Texts[0], StringComparer.Ordinal),
                    CriteriaOperator.In => operand.Texts.Any(t => tags.Contains(t, StringComparer.Ordinal)),
                    _ => false,
                };
            }
            default:
                return false;
        }
    }

    /// <summary>
    /// The field's value as the condition's type sees it: null when empty, or when an attribute holds another JSON type;
    /// instants at microseconds; days as whole days, rounded down.
    /// </summary>
    static object? Read(CriteriaField field, ContactFacts contact, ActivityFact? activity, DateTimeOffset now)
    {
        switch (field.Kind)
        {
            case FieldKind.Column:
                var value = field.Read!(contact);
                return value is DateTimeOffset d ? PgTime.Truncate(d) : value;
            case FieldKind.DaysSince:
                return field.Read!(contact) is DateTimeOffset since ? ExactNumber.From(WholeDays(now - PgTime.Truncate(since))) : null;
        }

        JsonElement e;
        if (field.Kind == FieldKind.Context)
        {
            if (ContextValue(contact.Context, field.Key!) is not { } found)
                return null;
            e = found;
        }
        else
        {
            var json = field.Kind == FieldKind.Attribute ? contact.Attributes : activity?.Metadata;
            if (json is null || !json.TryGetValue(field.Key!, out e))
                return null;
        }

        return field.Type switch
        {
            FieldType.Number => e.ValueKind == JsonValueKind.Number ? ExactNumber.TryParse(e.GetRawText()) : null,
            FieldType.Text => e.ValueKind == JsonValueKind.String ? e.GetString() : null,
            FieldType.Boolean => e.ValueKind is JsonValueKind.True or JsonValueKind.False ? e.GetBoolean() : null,
            FieldType.Date => e.ValueKind == JsonValueKind.String ? JsonDates.TryRead(e.GetString()) : null,
            _ => e.ValueKind == JsonValueKind.Null ? null : e,
        };
    }

    /// <summary>The value at a dotted path (<c>event.order.total</c>) of the context; null where any segment is missing.</summary>
    static JsonElement? ContextValue(JsonElement context, string path)
    {
        var e = context;
        foreach (var segment in path.Split('.'))
        {
            if (e.ValueKind != JsonValueKind.Object || !e.TryGetProperty(segment, out e))
                return null;
        }

        return e;
    }

    /// <summary>Whole days in <paramref name="span"/>, rounded down (towards the past for a date in the future).</summary>
    public static long WholeDays(TimeSpan span) => (long)Math.Floor((decimal)span.Ticks / TimeSpan.TicksPerDay);

    static CriteriaExplanation Explain(Criterion node, ContactFacts contact, ActivityFact? activity, DateTimeOffset now)
    {
        switch (node)
        {
            case CriteriaGroup g:
                var children = g.Conditions.Select(c => Explain(c, contact, activity, now)).ToArray();
                var matched = g.Logic switch
                {
                    GroupLogic.And => children.All(c => c.Matched),
                    GroupLogic.Or => children.Any(c => c.Matched),
                    _ => !children.Any(c => c.Matched),
                };
                return new CriteriaExplanation(g.Path, g.Logic.ToString().ToUpperInvariant(), matched, null, children);
            case FieldCondition f:
                var value = Read(f.Field, contact, activity, now);
                return new CriteriaExplanation(f.Path, $"{f.Field.Name} {CriteriaOperators.Name(f.Operator)} {f.ValueText}".TrimEnd(),
                    Holds(f, value, now), Display(value), []);
            case ActivityCondition a:
                var count = Count(a, contact, now);
                return new CriteriaExplanation(a.Path, Describe(a), Holds(a, count), count == 1 ? "1 time" : $"{count} times", []);
            default:
                throw new ArgumentOutOfRangeException(nameof(node));
        }
    }

    static string Describe(ActivityCondition a)
    {
        var times = a.AtMost is { } max ? $"{a.AtLeast} to {max} times" : $"at least {a.AtLeast} time{(a.AtLeast == 1 ? "" : "s")}";
        var window = a.WindowDays is { } d ? $" in the last {d} days" : "";
        var where = a.Where is null ? "" : " where the metadata matches";
        return $"{(a.HasDone ? "has done" : "has not done")} {a.Type} {times}{window}{where}";
    }

    static string Display(object? value) => value switch
    {
        null => "null",
        string s => s,
        bool b => b ? "true" : "false",
        DateTimeOffset d => d.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
        IReadOnlyList<string> tags => $"[{string.Join(", ", tags)}]",
        JsonElement e => e.GetRawText(),
        _ => value.ToString() ?? "",
    };
}
