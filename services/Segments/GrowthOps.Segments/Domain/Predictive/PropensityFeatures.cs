using Dapper;

namespace GrowthOps.Segments.Domain.Predictive;

/// <summary>
/// The propensity model's features, computed in SQL over the read model (so training, the set-based prediction of every
/// contact and the per-event prediction are one formula): <c>score</c>, <c>ai_score</c> (0 when unknown),
/// <c>days_inactive</c>, the number of <c>tags</c>, <c>email_verified</c> and <c>marketing_consent</c> (0/1), and for each
/// of the tenant's most common activity types ln(1 + its count) and the days since the last one. Days are capped at 365.
/// <para>
/// Activities count up to the contact's "as of" moment: for a won or lost contact the moment it entered that state (what it
/// did after the outcome cannot explain it), for any other contact now. They come from the retained activities
/// (<c>segments.activities</c>, <see cref="SegmentsOptions.ActivityRetentionDays"/>), which carry their times.
/// </para>
/// </summary>
public static class PropensityFeatures
{
    public const string Won = "won";
    public const string Lost = "lost";

    /// <summary>The lead states that are an outcome, as Leads names them (compared ignoring case, as Leads does).</summary>
    public const string IsOutcome = "lower(c.lead_state) in ('won', 'lost')";

    public const string ActivityCountPrefix = "activity_count:";
    public const string ActivityRecencyPrefix = "days_since_activity:";
    const int MaxDays = 365;

    static readonly string[] Fixed = ["score", "ai_score", "days_inactive", "tags", "email_verified", "marketing_consent"];

    /// <summary>The feature names for a tenant whose most common activity types are <paramref name="activityTypes"/>.</summary>
    public static IReadOnlyList<string> For(IEnumerable<string> activityTypes) =>
        [.. Fixed, .. activityTypes.SelectMany(t => new[] { ActivityCountPrefix + t, ActivityRecencyPrefix + t })];

    /// <summary>
    /// The joins that features read, for contacts aliased <c>c</c> (append after <c>from segments.contacts c</c>), and one
    /// double-precision expression per feature; activity types go in as parameters <c>@pf_t0…</c>.
    /// </summary>
    public static (string Joins, IReadOnlyList<string> Expressions) Sql(IReadOnlyList<string> features, DynamicParameters parameters)
    {
        var types = new List<string>();
        int TypeIndex(string type)
        {
            var i = types.IndexOf(type);
            if (i >= 0)
                return i;
            types.Add(type);
            parameters.Add($"pf_t{types.Count - 1}", type);
            return types.Count - 1;
        }

        string Days(string since) => $"least({MaxDays}, greatest(0, extract(epoch from pf_at.at - {since}) / 86400))";
        var expressions = features.Select(f => f switch
        {
            "score" => "c.score::float8",
            "ai_score" => "coalesce(c.ai_score, 0)::float8",
            "days_inactive" => Days("coalesce(pf.last_any, c.created_at)") + "::float8",
            "tags" => "cardinality(c.tags)::float8",
            "email_verified" => "(case when c.email_verified then 1 else 0 end)::float8",
            "marketing_consent" => "(case when c.marketing_consent then 1 else 0 end)::float8",
            _ when f.StartsWith(ActivityCountPrefix, StringComparison.Ordinal) => $"ln(1 + pf.n{TypeIndex(f[ActivityCountPrefix.Length..])})::float8",
            _ when f.StartsWith(ActivityRecencyPrefix, StringComparison.Ordinal) =>
                $"coalesce({Days($"pf.l{TypeIndex(f[ActivityRecencyPrefix.Length..])}")}, {MaxDays})::float8",
            _ => throw new ArgumentException($"Unknown propensity feature '{f}'.", nameof(features)),
        }).ToList();

        var perType = string.Concat(types.Select((_, i) =>
            $", count(*) filter (where a.type = @pf_t{i}) as n{i}, max(a.occurred_at) filter (where a.type = @pf_t{i}) as l{i}"));
        var joins = $"""
            cross join lateral (select case when {IsOutcome} and c.state_entered_at is not null then c.state_entered_at else now() end as at) pf_at
            left join lateral (
              select max(a.occurred_at) as last_any{perType}
                from segments.activities a
               where a.tenant_id = c.tenant_id and a.contact_id = c.id and a.occurred_at <= pf_at.at) pf on true
            """;
        return (joins, expressions);
    }

    /// <summary>
    /// The model's probability, 0–100 with two decimals, over the raw features (weights from <c>@pf_w</c>, intercept first).
    /// </summary>
    public static string Prediction(IReadOnlyList<string> expressions) =>
        $"round((100 / (1 + exp(-least(50, greatest(-50, @pf_w[1]{string.Concat(expressions.Select((e, i) => $" + @pf_w[{i + 2}] * {e}"))})))))::numeric, 2)";
}
