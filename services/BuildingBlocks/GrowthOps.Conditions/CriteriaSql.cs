using System.Text.RegularExpressions;
using Dapper;

namespace GrowthOps.Conditions;

/// <summary>
/// The SQL back end: criteria as a WHERE fragment over <c>segments.contacts</c> (alias <c>c</c> by default) with every value
/// a parameter. Relative dates, <c>days_*</c> bounds and activity windows are resolved here, against the given moment,
/// into timestamp parameters, so the statement never reads the database's clock and agrees with
/// <see cref="CriteriaEvaluator"/> run at the same moment.
/// <para>
/// SQL's unknown: a comparison with a null is unknown, and NOT of unknown is unknown, where the in-memory back end says
/// false and true. So a condition under an even number of NOTs is written as is (an unknown there excludes the row exactly
/// as false would: with AND and OR only, Kleene logic reaches true exactly when two-valued logic does), and under an odd
/// number it is written <c>(…) is true</c>; a negated operator is <c>(positive) is not true</c>. The fragment may still be
/// unknown for a row it excludes: use <see cref="SqlFragment.TwoValued"/> to negate or select it.
/// </para>
/// </summary>
public static partial class CriteriaSql
{
    [GeneratedRegex("^[a-z_][a-z0-9_]{0,30}$")]
    private static partial Regex Identifier();

    public static SqlFragment Compile(Criteria criteria, DateTimeOffset now, string contactAlias = "c", string parameterPrefix = "cr")
    {
        if (!Identifier().IsMatch(contactAlias) || !Identifier().IsMatch(parameterPrefix))
            throw new ArgumentException("The alias and the parameter prefix must be plain lower-case identifiers.");
        var emitter = new Emitter(contactAlias, parameterPrefix, PgTime.Truncate(now));
        var sql = emitter.Emit(criteria.Root, positive: true);
        return new SqlFragment(sql, emitter.Parameters);
    }

    sealed class Emitter(string alias, string prefix, DateTimeOffset now)
    {
        const string ActivityAlias = "sa";
        const string TotalsAlias = "st";

        int _next;

        public DynamicParameters Parameters { get; } = new();

        string Param(object value)
        {
            var name = $"{prefix}{_next++}";
            Parameters.Add(name, value);
            return "@" + name;
        }

        public string Emit(Criterion node, bool positive)
        {
            switch (node)
            {
                case CriteriaGroup g:
                    return g.Logic switch
                    {
                        GroupLogic.And => Join(g.Conditions, " and ", positive, "true"),
                        GroupLogic.Or => Join(g.Conditions, " or ", positive, "false"),
                        _ => g.Conditions.Count == 0 ? "true" : $"not {Join(g.Conditions, " or ", !positive, "false")}",
                    };
                case FieldCondition f:
                    return Field(f, positive);
                case ActivityCondition a:
                    var sql = Activity(a);
                    return a.HasDone ? sql : $"not ({sql})";
                default:
                    throw new ArgumentOutOfRangeException(nameof(node));
            }
        }

        string Join(IReadOnlyList<Criterion> conditions, string separator, bool positive, string empty) =>
            conditions.Count == 0 ? empty : "(" + string.Join(separator, conditions.Select(c => Emit(c, positive))) + ")";

        string Field(FieldCondition f, bool positive)
        {
            if (f.Field.Kind == FieldKind.Context)
                throw new NotSupportedException($"'{f.Field.Name}' is a context field: it is evaluated in memory, never in SQL.");
            var negated = CriteriaOperators.Negates(f.Operator);
            var op = negated ?? f.Operator;
            if (op == CriteriaOperator.IsNull)
            {
                var isNull = IsNull(f.Field);
                return negated is null ? isNull : $"not ({isNull})";
            }

            var predicate = Positive(op, f.Field, f.Operand);
            return negated is not null ? $"({predicate}) is not true" : positive ? $"({predicate})" : $"({predicate}) is true";
        }

        string IsNull(CriteriaField field) => field switch
        {
            { Type: FieldType.Tags } => $"cardinality({Column(field)}) = 0",
            { Kind: FieldKind.DaysSince } => $"{Column(field)} is null",
            { Kind: FieldKind.Attribute or FieldKind.Metadata, Type: null } => $"({Json(field)} ->> {Param(field.Key!)}) is null",
            _ => $"{Value(field)} is null",
        };

        string Column(CriteriaField field) => string.Format(System.Globalization.CultureInfo.InvariantCulture, field.Column!, alias);

        string Json(CriteriaField field) => field.Kind == FieldKind.Attribute ? $"{alias}.attributes" : $"{ActivityAlias}.metadata";

        /// <summary>The field as a value of its type, null when empty or when a JSON value is of another type.</summary>
        string Value(CriteriaField field)
        {
            if (field.Kind == FieldKind.Column)
                return Column(field);
            var json = Json(field);
            var key = Param(field.Key!);
            return field.Type switch
            {
                FieldType.Number => $"(case when jsonb_typeof({json} -> {key}) = 'number' then ({json} ->> {key})::numeric end)",
                FieldType.Boolean => $"(case when jsonb_typeof({json} -> {key}) = 'boolean' then ({json} ->> {key})::boolean end)",
                FieldType.Date => $"segments.json_timestamp(case when jsonb_typeof({json} -> {key}) = 'string' then {json} ->> {key} end)",
                _ => $"(case when jsonb_typeof({json} -> {key}) = 'string' then {json} ->> {key} end)",
            };
        }

        /// <summary>The positive operator's predicate; null (unknown) when the field is empty.</summary>
        string Positive(CriteriaOperator op, CriteriaField field, Operand operand)
        {
            if (field.Kind == FieldKind.DaysSince)
                return Days(op, Column(field), operand.Numbers);
            var x = Value(field);
            switch (field.Type)
            {
                case FieldType.Number:
                    var n = operand.Numbers;
                    return op switch
                    {
                        CriteriaOperator.Equals => $"{x} = {Param(n[0])}::numeric",
                        _ when Comparison(op) is { } cmp => $"{x} {cmp} {Param(n[0])}::numeric",
                        CriteriaOperator.Between => $"{x} between {Param(n[0])}::numeric and {Param(n[1])}::numeric",
                        CriteriaOperator.In => $"{x} = any({Param(n.ToArray())}::numeric[])",
                        _ => throw Unsupported(op, field),
                    };
                case FieldType.Text:
                    // collate "C": lower() then folds A–Z only, as AsciiCase does; the regex reads no locale either.
                    var folded = $"lower({x} collate \"C\")";
                    return op switch
                    {
                        CriteriaOperator.Equals => $"{folded} = {Param(operand.Texts[0])}",
                        CriteriaOperator.Contains => $"strpos({folded}, {Param(operand.Texts[0])}) > 0",
                        CriteriaOperator.StartsWith => $"starts_with({folded}, {Param(operand.Texts[0])})",
                        CriteriaOperator.EndsWith => EndsWith(folded, Param(operand.Texts[0])),
                        CriteriaOperator.In => $"{folded} = any({Param(operand.Texts.ToArray())}::text[])",
                        CriteriaOperator.Regex => $"({x} collate \"C\") ~ {Param(operand.Pattern!.PostgresPattern)}",
                        _ => throw Unsupported(op, field),
                    };
                case FieldType.Date:
                    var d = operand.Dates.Select(v => v.Resolve(now)).ToArray();
                    return op switch
                    {
                        CriteriaOperator.Equals =>
                            $"({x} >= {Param(DateValue.Midnight(d[0]))} and {x} < {Param(DateValue.Midnight(d[0]).AddDays(1))})",
                        _ when Comparison(op) is { } cmp => $"{x} {cmp} {Param(d[0])}",
                        CriteriaOperator.Between => $"{x} between {Param(d[0])} and {Param(d[1])}",
                        _ => throw Unsupported(op, field),
                    };
                case FieldType.Boolean:
                    return op == CriteriaOperator.Equals ? $"{x} = {Param(operand.Boolean!.Value)}" : throw Unsupported(op, field);
                case FieldType.Tags:
                    return op switch
                    {
                        CriteriaOperator.Contains => $"{x} @> {Param(new[] { operand.Texts[0] })}::text[]",
                        CriteriaOperator.In => $"{x} && {Param(operand.Texts.ToArray())}::text[]",
                        _ => throw Unsupported(op, field),
                    };
                default:
                    throw Unsupported(op, field);
            }
        }

        // right() and char_length() count code points on both sides, as the ordinal EndsWith compares UTF-16 units.
        static string EndsWith(string folded, string param) => $"right({folded}, char_length({param})) = {param}";

        static string? Comparison(CriteriaOperator op) => op switch
        {
            CriteriaOperator.GreaterThan => ">",
            CriteriaOperator.LessThan => "<",
            CriteriaOperator.GreaterThanOrEquals => ">=",
            CriteriaOperator.LessThanOrEquals => "<=",
            _ => null,
        };

        static NotSupportedException Unsupported(CriteriaOperator op, CriteriaField field) =>
            new($"'{CriteriaOperators.Name(op)}' on '{field.Name}' passed validation but has no SQL.");

        /// <summary>
        /// <c>days_*</c> as ranges of the date they count from, so an index on it serves: with k = whole days since B,
        /// k ≥ m ⇔ B ≤ now − m days and k ≤ m ⇔ B &gt; now − (m + 1) days. Each value becomes a range of whole days
        /// (<c>greater_than 30.5</c> is k ≥ 31; <c>equals 2.5</c> is no day at all).
        /// </summary>
        string Days(CriteriaOperator op, string since, IReadOnlyList<decimal> n)
        {
            List<(long? Min, long? Max)> ranges = op switch
            {
                CriteriaOperator.GreaterThan => [((long)Math.Floor(n[0]) + 1, null)],
                CriteriaOperator.GreaterThanOrEquals => [((long)Math.Ceiling(n[0]), null)],
                CriteriaOperator.LessThan => [(null, (long)Math.Ceiling(n[0]) - 1)],
                CriteriaOperator.LessThanOrEquals => [(null, (long)Math.Floor(n[0]))],
                CriteriaOperator.Between => [((long)Math.Ceiling(n[0]), (long)Math.Floor(n[1]))],
                CriteriaOperator.Equals or CriteriaOperator.In => [.. n.Where(v => v == Math.Floor(v)).Select(v => ((long?)(long)v, (long?)(long)v))],
                _ => [],
            };
            var parts = ranges.Where(r => r.Min is null || r.Max is null || r.Min <= r.Max).Select(r =>
            {
                var bounds = new List<string>();
                if (r.Min is { } min)
                    bounds.Add($"{since} <= {Param(now.AddTicks(-min * TimeSpan.TicksPerDay))}");
                if (r.Max is { } max)
                    bounds.Add($"{since} > {Param(now.AddTicks(-(max + 1) * TimeSpan.TicksPerDay))}");
                return "(" + string.Join(" and ", bounds) + ")";
            }).ToList();
            return parts.Count == 0 ? "false" : string.Join(" or ", parts);
        }

        /// <summary>Never unknown: an EXISTS or a count.</summary>
        string Activity(ActivityCondition a)
        {
            if (a.AtLeast == 0 && a.AtMost is null)
                return "true";
            var type = Param(a.Type);
            if (a.WindowDays is not { } days)
            {
                var totals = $"from segments.contact_activity {TotalsAlias} where {TotalsAlias}.tenant_id = {alias}.tenant_id and " +
                             $"{TotalsAlias}.contact_id = {alias}.id and {TotalsAlias}.type = {type}";
                return a.AtMost is { } most
                    ? $"coalesce((select {TotalsAlias}.count {totals}), 0) between {Param(a.AtLeast)} and {Param(most)}"
                    : $"exists (select 1 {totals} and {TotalsAlias}.count >= {Param(a.AtLeast)})";
            }

            var filter = $"from segments.activities {ActivityAlias} where {ActivityAlias}.tenant_id = {alias}.tenant_id and " +
                         $"{ActivityAlias}.contact_id = {alias}.id and {ActivityAlias}.type = {type} and " +
                         $"{ActivityAlias}.occurred_at >= {Param(now.AddTicks(-days * TimeSpan.TicksPerDay))}";
            if (a.Where is not null)
                filter += $" and {Emit(a.Where, positive: true)}";
            if (a.AtLeast == 1 && a.AtMost is null)
                return $"exists (select 1 {filter})";
            var count = $"(select count(*) {filter})";
            return a.AtMost is { } max ? $"{count} between {Param(a.AtLeast)} and {Param(max)}" : $"{count} >= {Param(a.AtLeast)}";
        }
    }
}
