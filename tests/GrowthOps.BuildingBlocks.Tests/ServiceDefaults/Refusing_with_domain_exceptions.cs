using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

public sealed class Refusing_with_domain_exceptions() : TestHostTests("refusals")
{
    [Fact]
    public async Task Answers_each_domain_refusal_with_its_problem_and_the_details_a_client_needs()
    {
        var client = App.ClientFor(Guid.NewGuid());

        var notFound = await Problem(await client.PostAsync("/refusals/not-found", null), HttpStatusCode.NotFound);
        Assert.Equal("Order 7 does not exist.", notFound.GetProperty("detail").GetString());

        var conflict = await Problem(await client.PostAsync("/refusals/conflict", null), HttpStatusCode.Conflict);
        Assert.Equal("new", conflict.GetProperty("current_state").GetString());
        Assert.Equal(["contacted", "lost"], conflict.GetProperty("allowed_targets").EnumerateArray().Select(t => t.GetProperty("name").GetString()));
        Assert.False(string.IsNullOrEmpty(conflict.GetProperty("trace_id").GetString()));

        var refused = await Problem(await client.PostAsync("/refusals/rule", null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal("The transition requires notes.", refused.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task Answers_a_unique_violation_with_a_409_problem_and_writes_nothing()
    {
        var client = App.ClientFor(Guid.NewGuid());

        var conflict = await Problem(await client.PostAsync("/refusals/duplicate-order", null), HttpStatusCode.Conflict);

        Assert.Contains("already exists", conflict.GetProperty("detail").GetString(), StringComparison.Ordinal);
        Assert.Empty((await client.GetFromJsonAsync<List<JsonElement>>("/orders"))!);
    }

    [Fact]
    public async Task Documents_the_problems_a_handler_declares()
    {
        var document = await App.CreateClient().GetFromJsonAsync<JsonElement>("/openapi/v1.json");

        var responses = document.GetProperty("paths").GetProperty("/refusals/{kind}").GetProperty("post").GetProperty("responses");
        foreach (var status in new[] { "404", "409", "422" })
            Assert.True(responses.GetProperty(status).GetProperty("content").TryGetProperty("application/problem+json", out _), status);
        Assert.Contains("allowed_targets", responses.GetProperty("409").GetProperty("description").GetString(), StringComparison.Ordinal);
    }

    static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        return problem;
    }
}
