namespace GrowthOps.Segments.Tests.Domain.Criteria;

public sealed class Parsing_criteria
{
    [Fact]
    public void Accepts_the_seed_example_verbatim()
    {
        var criteria = CriteriaJson.Valid("""
            {
              "tenantId": "tenant-uuid", "action": "create_segment", "segment_name": "High-Value Active Users", "segment_type": "value",
              "criteria": [
                { "field": "ai_score", "operator": "greater_than", "value": 80 },
                { "field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago" }
              ],
              "criteria_logic": "AND", "use_ai_refinement": true, "auto_refresh": true, "refresh_interval_hours": 24
            }
            """);
        Assert.Equal(GroupLogic.And, criteria.Root.Logic);
        Assert.Equal(2, criteria.Root.Conditions.Count);
        Assert.True(criteria.IsTimeDependent);
    }

    [Theory]
    [InlineData("""{"field": "ai_score", "operator": "greater_than", "value": 80}""")]
    [InlineData("""{"field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago"}""")]
    [InlineData("""{"field": "email_verified", "operator": "equals", "value": true}""")]
    [InlineData("""{"field": "purchase_count", "operator": "greater_than", "value": 3}""")]
    [InlineData("""{"field": "status", "operator": "equals", "value": "new"}""")]
    public void Accepts_the_five_default_rule_templates(string condition) => CriteriaJson.Valid($$"""{"criteria": [{{condition}}]}""");

    [Fact]
    public void Names_the_exact_path_of_every_bad_condition()
    {
        var errors = CriteriaJson.Errors("""
            {"criteria": [
              {"field": "ai_score", "operator": "gt", "value": 80},
              {"field": "ai_score", "operator": "greater_than", "value": "high"},
              {"field": "nope", "operator": "equals", "value": 1},
              {"field": "tags", "operator": "equals", "value": "vip"},
              {"field": "score", "operator": "in", "value": [1, "two"]},
              {"field": "email", "operator": "equals", "valu": "x"}
            ], "criteria_logic": "XOR"}
            """);
        Assert.Equal(
        [
            "criteria_logic: expected 'AND' or 'OR'",
            "criteria[0].operator: unknown operator 'gt'",
            "criteria[1].value: expected a number",
            "criteria[2].field: unknown field 'nope'",
            "criteria[3].operator: operator 'equals' does not apply to list field 'tags'; use one of contains, not_contains, in, not_in, is_null, is_not_null",
            "criteria[4].value[1]: expected a number",
            "criteria[5].valu: unknown property",
            "criteria[5].value: is required",
        ], errors);
    }

    [Fact]
    public void Names_paths_inside_nested_groups_and_activity_conditions()
    {
        var errors = CriteriaJson.Errors("""
            {"criteria": {"logic": "AND", "conditions": [
              {"logic": "OR", "conditions": [{"field": "created_at", "operator": "less_than", "value": "last tuesday"}]},
              {"logic": "NAND", "conditions": []},
              {"activity": "checkout.completed", "at_least": 3, "at_most": 1, "within_days": 400,
               "where": [{"field": "metadata.amount", "operator": "between", "value": [50, 10]}, {"field": "score", "operator": "is_null"}]},
              {"field": "metadata.product", "operator": "equals", "value": "P2P"},
              {"activity": "x", "where": [{"activity": "y"}]}
            ]}}
            """);
        Assert.Equal(
        [
            "criteria.conditions[0].conditions[0].value: expected a date ('7 days ago', '30 days from now', 'today', 'now', or an ISO 8601 date or date-time)",
            "criteria.conditions[1].logic: expected 'AND', 'OR' or 'NOT'",
            "criteria.conditions[2].at_most: must not be less than at_least (3)",
            "criteria.conditions[2].within_days: expected a whole number of days from 1 to 365 (the activity retention)",
            "criteria.conditions[2].where[0].value: min is greater than max",
            "criteria.conditions[2].where[1].field: inside \"where\" only metadata.<key> fields are allowed",
            "criteria.conditions[3].field: metadata.<key> fields belong in an activity condition's \"where\"",
            "criteria.conditions[4].where[0]: an activity condition cannot appear inside \"where\"",
        ], errors);
    }

    [Fact]
    public void Refuses_criteria_logic_next_to_a_nested_group() =>
        Assert.Equal(["criteria_logic: applies only to the flat form (criteria as an array); a group says its own \"logic\""],
            CriteriaJson.Errors("""{"criteria": {"logic": "OR", "conditions": []}, "criteria_logic": "AND"}"""));

    [Theory]
    [InlineData(@"(a)\1", @"unsupported escape '\1' at position 4")]
    [InlineData("(?=a)b", "only (?:…) groups are supported (no look-around, named groups or inline options) at position 2")]
    [InlineData(@"\bword", @"unsupported escape '\b' at position 1")]
    [InlineData("[[:alpha:]]", "write \\[ for a literal '[' inside [...] (POSIX classes are not supported) at position 2")]
    [InlineData("a{2", "expected '}' (write \\{ for a literal brace) at position 4")]
    [InlineData("a**", "nested quantifier at position 3")]
    [InlineData("(ab", "missing ')' at position 4")]
    [InlineData("[z-a]", "range out of order at position 5")]
    [InlineData("a{101}", "repetition bound above 100 at position 5")]
    [InlineData("((ab){50}){50}", "repeats too much: its counted repetitions unroll to more than 1000 characters")]
    [InlineData("[😀]", "characters outside the Basic Multilingual Plane (emoji…) cannot appear in [...] at position 1")]
    public void Refuses_regexes_outside_the_portable_dialect(string pattern, string problem)
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { criteria = new[] { new { field = "email", @operator = "regex", value = pattern } } });
        Assert.Equal([$"criteria[0].value: invalid regex: {problem}"], CriteriaJson.Errors(body));
    }

    [Fact]
    public void Bounds_the_length_of_a_regex()
    {
        var body = System.Text.Json.JsonSerializer.Serialize(new { criteria = new[] { new { field = "email", @operator = "regex", value = new string('a', 201) } } });
        Assert.Equal(["criteria[0].value: invalid regex: is longer than 200 characters"], CriteriaJson.Errors(body));
    }

    [Fact]
    public void Bounds_the_size_and_depth_of_a_tree()
    {
        var many = string.Join(",", Enumerable.Repeat("""{"field": "score", "operator": "equals", "value": 1}""", 101));
        Assert.Equal(["criteria[100]: more than 100 conditions in one criteria tree"], CriteriaJson.Errors($$"""{"criteria": [{{many}}]}"""));

        var deep = """{"field": "score", "operator": "equals", "value": 1}""";
        for (var i = 0; i < 8; i++)
            deep = $$"""{"logic": "AND", "conditions": [{{deep}}]}""";
        Assert.Equal(["criteria[0]" + string.Concat(Enumerable.Repeat(".conditions[0]", 7)) + ": nests groups deeper than 8 levels"],
            CriteriaJson.Errors($$"""{"criteria": [{{deep}}]}"""));
    }

    [Fact]
    public void Types_attributes_by_their_value_or_a_declared_type()
    {
        CriteriaJson.Valid("""{"criteria": [{"field": "attributes.plan", "operator": "in", "value": ["pro", "enterprise"]}]}""");
        CriteriaJson.Valid("""{"criteria": [{"field": "attributes.age", "operator": "between", "value": [25, 45]}]}""");
        CriteriaJson.Valid("""{"criteria": [{"field": "attributes.renewal", "type": "date", "operator": "less_than", "value": "30 days from now"}]}""");
        Assert.Equal(
        [
            "criteria[0].operator: operator 'between' does not apply to text field 'attributes.renewal' (the value decides the type; say \"type\" for another); " +
            "use one of equals, not_equals, contains, not_contains, in, not_in, is_null, is_not_null, regex, starts_with, ends_with",
            "criteria[1].type: only attributes.<key> and metadata.<key> fields take a type",
            "criteria[2].type: expected 'number', 'text', 'date' or 'boolean'",
        ], CriteriaJson.Errors("""
            {"criteria": [
              {"field": "attributes.renewal", "operator": "between", "value": ["today", "30 days from now"]},
              {"field": "score", "type": "number", "operator": "equals", "value": 1},
              {"field": "attributes.x", "type": "decimal", "operator": "equals", "value": 1}
            ]}
            """));
    }

    [Fact]
    public void Refuses_text_PostgreSQL_cannot_store() =>
        Assert.Equal(["criteria[0].value: is not valid text (NUL characters and lone surrogates cannot be stored)",
                "criteria[1].value: is not valid text (NUL characters and lone surrogates cannot be stored)"],
            CriteriaJson.Errors("""{"criteria": [{"field": "email", "operator": "equals", "value": "a\u0000b"}, {"field": "email", "operator": "equals", "value": "\ud800"}]}"""));
}
