using System.Globalization;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// Criteria for the benchmark's segments: the refresh phase's three (score, a tag, recent activity) and, for the per-event
/// phase, a tenant's worth of varied ones — thresholds, tags, lead states, attributes, AI score ranges, OR groups,
/// behavioural conditions on activity totals and on the window's activities with metadata, inactivity — as JSON the API
/// accepts, with their logic (null for a nested group).
/// </summary>
static class BenchCriteria
{
    public const string RefreshCriteria = """
        [{"field": "score", "operator": "greater_than", "value": 40},
         {"field": "tags", "operator": "contains", "value": "newsletter"},
         {"field": "last_interaction_at", "operator": "greater_than", "value": "30 days ago"}]
        """;

    /// <summary>The same three conditions written by hand over <c>segments.contacts c</c> (<c>@since</c>: 30 days ago).</summary>
    public const string RefreshWhere = "c.score > 40 and c.tags @> array['newsletter'] and c.last_interaction_at > @since";

    static readonly string[] Tags = ["newsletter", "webinar", "trial", "customer", "vip"];
    static readonly string[] States = ["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dormant"];
    static readonly string[] Plans = ["free", "starter", "pro", "enterprise"];

    public static IReadOnlyList<(string Criteria, string? Logic)> Varied(int count, int seed)
    {
        var random = new Random(seed);
        var list = new List<(string, string?)>(count);
        for (var i = 0; i < count; i++)
        {
            string N(int min, int max) => random.Next(min, max).ToString(CultureInfo.InvariantCulture);
            string Tag() => Tags[random.Next(Tags.Length)];
            list.Add((i % 10) switch
            {
                0 => ($$"""[{"field": "score", "operator": "greater_than", "value": {{N(10, 90)}}}]""", "AND"),
                1 => ($$"""[{"field": "tags", "operator": "contains", "value": "{{Tag()}}"}]""", "AND"),
                2 => ($$"""[{"field": "last_interaction_at", "operator": "greater_than", "value": "{{N(3, 120)}} days ago"}]""", "AND"),
                3 => ($$"""[{"field": "status", "operator": "equals", "value": "{{States[random.Next(States.Length)]}}"}, {"field": "score", "operator": "greater_than_or_equals", "value": {{N(0, 60)}}}]""", "AND"),
                4 => ($$"""[{"field": "attributes.plan", "operator": "equals", "value": "{{Plans[random.Next(Plans.Length)]}}"}, {"field": "score", "operator": "greater_than", "value": {{N(0, 70)}}}]""", "AND"),
                5 => ($$"""[{"field": "ai_score", "operator": "between", "value": [{{N(0, 50)}}, {{N(50, 101)}}]}]""", "AND"),
                6 => ($$"""[{"field": "tags", "operator": "contains", "value": "{{Tag()}}"}, {"field": "tags", "operator": "contains", "value": "campaign-{{N(0, 200)}}"}]""", "OR"),
                7 => ($$"""[{"activity": "page.viewed", "at_least": {{N(2, 30)}}}]""", "AND"),
                8 => ($$"""{"logic": "AND", "conditions": [{"activity": "checkout.completed", "within_days": {{N(7, 90)}}, "where": [{"field": "metadata.product", "operator": "equals", "value": "P2P"}]}, {"logic": "NOT", "conditions": [{"field": "tags", "operator": "contains", "value": "customer"}]}]}""", null),
                _ => ($$"""[{"field": "days_inactive", "operator": "less_than", "value": {{N(5, 60)}}}, {"field": "marketing_consent", "operator": "equals", "value": true}]""", "AND"),
            });
        }

        return list;
    }
}
