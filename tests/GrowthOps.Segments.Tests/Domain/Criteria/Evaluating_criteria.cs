using System.Text.Json;

namespace GrowthOps.Segments.Tests.Domain.Criteria;

public sealed class Evaluating_criteria
{
    static readonly DateTimeOffset Now = new(2025, 6, 15, 12, 0, 0, TimeSpan.Zero);

    static ContactFacts Contact(Func<ContactFacts, ContactFacts>? change = null)
    {
        var contact = new ContactFacts { Id = Guid.NewGuid(), CreatedAt = Now.AddDays(-90), UpdatedAt = Now.AddDays(-1) };
        return change is null ? contact : change(contact);
    }

    static bool Matches(string criteria, ContactFacts contact) =>
        CriteriaEvaluator.Matches(CriteriaJson.Valid($$"""{"criteria": {{criteria}}}"""), contact, Now);

    static Dictionary<string, JsonElement> Json(string json) => JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json)!;

    [Fact]
    public void A_contact_with_an_empty_field_matches_the_negated_operators_only()
    {
        var noState = Contact();
        Assert.True(Matches("""[{"field": "status", "operator": "not_equals", "value": "churned"}]""", noState));
        Assert.False(Matches("""[{"field": "status", "operator": "equals", "value": "churned"}]""", noState));
        Assert.True(Matches("""[{"field": "status", "operator": "not_in", "value": ["a", "b"]}]""", noState));
        Assert.True(Matches("""[{"field": "ai_score", "operator": "is_null"}]""", noState));
        Assert.True(Matches("""{"logic": "NOT", "conditions": [{"field": "ai_score", "operator": "greater_than", "value": 80}]}""", noState));
    }

    [Fact]
    public void The_automation_engine_seeds_operators_mean_what_their_names_say()
    {
        var contact = Contact(c => c with { Email = "Alice@Example.com", Score = 50, Company = null });
        Assert.True(Matches("""[{"field": "email", "operator": "starts_with", "value": "ALICE@"}]""", contact));
        Assert.False(Matches("""[{"field": "email", "operator": "starts_with", "value": "example"}]""", contact));
        Assert.True(Matches("""[{"field": "email", "operator": "ends_with", "value": "example.COM"}]""", contact));
        Assert.False(Matches("""[{"field": "email", "operator": "ends_with", "value": "alice"}]""", contact));
        Assert.True(Matches("""[{"field": "score", "operator": "greater_or_equal", "value": 50}]""", contact));
        Assert.False(Matches("""[{"field": "score", "operator": "less_or_equal", "value": 49}]""", contact));
        Assert.True(Matches("""[{"field": "email", "operator": "regex_match", "value": "^alice@"}]""", contact));
        Assert.True(Matches("""[{"field": "company", "operator": "is_empty"}]""", contact));
        Assert.False(Matches("""[{"field": "company", "operator": "is_not_empty"}]""", contact));
        Assert.True(Matches("""[{"field": "email", "operator": "is_not_empty"}]""", contact));
    }

    [Fact]
    public void Text_ignores_the_case_of_ascii_letters_only()
    {
        var contact = Contact(c => c with { Email = "ALICE@Example.COM", Company = "ÉCOLE" });
        Assert.True(Matches("""[{"field": "email", "operator": "equals", "value": "alice@example.com"}]""", contact));
        Assert.True(Matches("""[{"field": "email", "operator": "contains", "value": "@EXAMPLE"}]""", contact));
        Assert.True(Matches("""[{"field": "email", "operator": "regex", "value": "^alice@.*\\.com$"}]""", contact));
        Assert.True(Matches("""[{"field": "company", "operator": "equals", "value": "École"}]""", contact));
        Assert.False(Matches("""[{"field": "company", "operator": "equals", "value": "école"}]""", contact));
    }

    [Fact]
    public void Attributes_compare_exactly_and_only_with_values_of_their_own_json_type()
    {
        var contact = Contact(c => c with { Attributes = Json("""{"score": 80.0, "age": "30", "big": 12345678901234567890123456789012345.5}""") });
        Assert.True(Matches("""[{"field": "attributes.score", "operator": "equals", "value": 80}]""", contact));
        Assert.False(Matches("""[{"field": "attributes.age", "operator": "greater_than", "value": 25}]""", contact));
        Assert.True(Matches("""[{"field": "attributes.age", "operator": "equals", "value": "30"}]""", contact));
        Assert.True(Matches("""[{"field": "attributes.big", "operator": "greater_than", "value": 12345678901234567890123456789}]""", contact));
        Assert.True(Matches("""[{"field": "attributes.missing", "operator": "is_null"}]""", contact));
    }

    [Fact]
    public void Days_inactive_counts_whole_days_from_the_last_interaction_or_else_the_creation()
    {
        Assert.True(Matches("""[{"field": "days_inactive", "operator": "equals", "value": 90}]""", Contact()));
        var active = Contact(c => c with { LastInteractionAt = Now.AddDays(-7).AddSeconds(1) });
        Assert.True(Matches("""[{"field": "days_inactive", "operator": "equals", "value": 6}]""", active));
        Assert.True(Matches("""[{"field": "days_inactive", "operator": "less_than_or_equals", "value": 6.9}]""", active));
        Assert.False(Matches("""[{"field": "days_in_state", "operator": "greater_than_or_equals", "value": 0}]""", active));
    }

    [Fact]
    public void Dates_equal_by_utc_day()
    {
        var contact = Contact(c => c with { LastInteractionAt = new DateTimeOffset(2025, 6, 15, 0, 0, 0, TimeSpan.Zero) });
        Assert.True(Matches("""[{"field": "last_interaction_at", "operator": "equals", "value": "today"}]""", contact));
        Assert.True(Matches("""[{"field": "last_interaction_at", "operator": "not_equals", "value": "yesterday"}]""", contact));
        Assert.True(Matches("""[{"field": "last_interaction_at", "operator": "equals", "value": "2025-06-15T23:59:00+00:00"}]""", contact));
    }

    [Fact]
    public void Behavioural_criteria_count_matching_activities_in_the_window()
    {
        ActivityFact Checkout(string product, int daysAgo) =>
            new(Guid.NewGuid(), "checkout.completed", Now.AddDays(-daysAgo), Json($$"""{"product": "{{product}}"}"""));
        var contact = Contact(c => c with
        {
            Activities = [Checkout("P2P", 2), Checkout("P2P", 20), Checkout("Other", 1)],
            ActivityTotals = new Dictionary<string, ActivityTotals> { ["checkout.completed"] = new(7, Now.AddDays(-500), Now.AddDays(-1)) },
        });
        const string p2p = """[{"field": "metadata.product", "operator": "equals", "value": "p2p"}]""";
        Assert.True(Matches($$"""[{"activity": "checkout.completed", "where": {{p2p}}, "at_least": 2}]""", contact));
        Assert.False(Matches($$"""[{"activity": "checkout.completed", "where": {{p2p}}, "within_days": 7, "at_least": 2}]""", contact));
        Assert.True(Matches("""[{"activity": "checkout.completed", "at_least": 7, "at_most": 7}]""", contact));
        Assert.True(Matches("""[{"activity": "email.opened", "has_done": false}]""", contact));
        Assert.False(Matches("""[{"activity": "checkout.completed", "has_done": false, "within_days": 30}]""", contact));
    }

    [Fact]
    public void Explains_which_conditions_matched_and_what_the_contact_has()
    {
        var criteria = CriteriaJson.Valid("""
            {"criteria": [
              {"field": "ai_score", "operator": "greater_than", "value": 80},
              {"field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago"}
            ], "criteria_logic": "OR"}
            """);
        var explanation = CriteriaEvaluator.Explain(criteria, Contact(c => c with { AiScore = 85 }), Now);

        Assert.True(explanation.Matched);
        Assert.Equal("OR", explanation.Condition);
        Assert.Equal(
        [
            new("criteria[0]", "ai_score greater_than 80", true, "85", []),
            new("criteria[1]", "last_interaction_at greater_than \"7 days ago\"", false, "null", []),
        ], explanation.Conditions, (a, b) => a with { Conditions = [] } == b with { Conditions = [] });
    }
}
