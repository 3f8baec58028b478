using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Validating_criteria(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    [Fact]
    public async Task Accepts_the_seed_example_and_says_it_depends_on_time()
    {
        var response = await app.ClientFor(Guid.NewGuid()).PostAsync("/api/segments/criteria/validate", Body("""
            {"criteria": [{"field": "ai_score", "operator": "greater_than", "value": 80},
                          {"field": "last_interaction_at", "operator": "greater_than", "value": "7 days ago"}],
             "criteria_logic": "AND"}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("valid").GetBoolean());
        Assert.True(body.GetProperty("time_dependent").GetBoolean());
    }

    [Fact]
    public async Task Answers_bad_criteria_with_a_problem_naming_each_path()
    {
        var response = await app.ClientFor(Guid.NewGuid()).PostAsync("/api/segments/criteria/validate", Body("""
            {"criteria": {"logic": "AND", "conditions": [
              {"field": "ai_score", "operator": "gt", "value": 80},
              {"field": "ai_score", "operator": "greater_than", "value": "high"}]}}
            """));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var errors = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("errors");
        Assert.Equal("unknown operator 'gt'", errors.GetProperty("criteria.conditions[0].operator")[0].GetString());
        Assert.Equal("expected a number", errors.GetProperty("criteria.conditions[1].value")[0].GetString());
    }

    /// <summary>Found by the fuzzer: the document required <c>criteria_logic</c>, which a nested group never has (the client checks the body against it).</summary>
    [Fact]
    public async Task Accepts_criteria_without_criteria_logic_as_the_document_says()
    {
        var response = await app.ClientFor(Guid.NewGuid()).PostAsync("/api/segments/criteria/validate", Body("""
            {"criteria": {"logic": "OR", "conditions": [{"field": "first_name", "operator": "equals", "value": "Ada"}]}}
            """));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.True((await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("valid").GetBoolean());
    }

    [Fact]
    public async Task Requires_a_token_with_a_tenant()
    {
        var response = await app.CreateClient().PostAsync("/api/segments/criteria/validate", Body("""{"criteria": []}"""));
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }
}
