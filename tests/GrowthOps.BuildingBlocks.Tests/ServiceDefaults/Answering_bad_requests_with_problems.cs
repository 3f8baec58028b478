using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrowthOps.BuildingBlocks.Tests.Infrastructure;
using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.ServiceDefaults;

public sealed class Answering_bad_requests_with_problems() : TestHostTests("http")
{
    readonly Guid _tenant = Guid.NewGuid();

    protected override IDictionary<string, string?> Overrides => new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = "2048" };

    static async Task<JsonElement> Problem(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.Equal(status, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.Equal((int)status, problem.GetProperty("status").GetInt32());
        Assert.True(problem.TryGetProperty("title", out _));
        return problem;
    }

    [Fact]
    public async Task Malformed_json_is_a_400_problem_with_no_write()
    {
        var response = await App.ClientFor(_tenant).PostAsync("/orders", new StringContent("{\"amount\": 12,", Encoding.UTF8, "application/json"));
        var problem = await Problem(response, HttpStatusCode.BadRequest);
        Assert.Equal("Malformed JSON", problem.GetProperty("title").GetString());
        Assert.Equal(0L, await Db.ScalarAsync<long>("select count(*) from testhost.orders"));
    }

    [Fact]
    public async Task A_route_value_of_the_wrong_type_is_a_400_problem()
    {
        var problem = await Problem(await App.ClientFor(_tenant).GetAsync("/orders/not-a-uuid"), HttpStatusCode.BadRequest);
        Assert.Contains("id", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_route_value_that_is_not_utf8_is_a_400_problem_naming_the_path_in_process_too()
    {
        // The in-process server rebuilds the target from the decoded path. (It cannot be sent %00 in a path at all: its client
        // throws, as Kestrel refuses it with a bare 400.)
        var client = App.ClientFor(_tenant);
        foreach (var kind in new[] { "%FF", "a%C3", "%ED%A0%80" })
        {
            var problem = await Problem(await client.PostAsync($"/refusals/{kind}", null), HttpStatusCode.BadRequest);
            Assert.True(problem.GetProperty("errors").TryGetProperty("path", out _), $"{kind}: {problem}");
        }
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413_problem()
    {
        var body = new StringContent("{\"amount\": 1, \"pad\": \"" + new string('x', 4096) + "\"}", Encoding.UTF8, "application/json");
        await Problem(await App.ClientFor(_tenant).PostAsync("/orders", body), HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Invalid_values_are_a_400_validation_problem_naming_the_field()
    {
        var problem = await Problem(await App.ClientFor(_tenant).PostAsJsonAsync("/orders", new { amount = -1 }), HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("amount", out _));
    }

    [Fact]
    public async Task No_token_is_a_401_problem_and_a_token_without_tenant_is_a_403_problem()
    {
        await Problem(await App.CreateClient().GetAsync("/orders"), HttpStatusCode.Unauthorized);
        await Problem(await App.ClientFor(null).GetAsync("/orders"), HttpStatusCode.Forbidden);

        var forged = App.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer",
            TestTokens.For(_tenant, key: "another-key-that-is-long-enough-to-sign-with-0123456789"));
        await Problem(await forged.GetAsync("/orders"), HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Health_endpoints_answer_without_a_token_and_report_their_checks()
    {
        var client = App.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health/live")).StatusCode);
        var ready = await client.GetFromJsonAsync<JsonElement>("/health/ready");
        Assert.Equal("Healthy", ready.GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("postgres").GetProperty("status").GetString());
        Assert.Equal("Healthy", ready.GetProperty("checks").GetProperty("rabbitmq").GetProperty("status").GetString());
    }

    [Fact]
    public async Task Responses_use_snake_case()
    {
        var response = await App.ClientFor(_tenant).PostAsJsonAsync("/orders", new { amount = 2 });
        var json = await response.Content.ReadAsStringAsync();
        Assert.Contains("\"amount\":2", json, StringComparison.Ordinal);
        Assert.Contains("\"id\":", json, StringComparison.Ordinal);
    }
}
