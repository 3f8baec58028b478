using System.Net;

namespace GrowthOps.Gateway.Tests;

/// <summary>What the gateway refuses itself, with a problem, before anything is forwarded.</summary>
public sealed class Refusing_malformed_requests(GatewayApp app) : IClassFixture<GatewayApp>
{
    static readonly string Token = Tokens.ForTenant(Guid.NewGuid());

    [Theory]
    [InlineData("/api/leads/contacts/7/tags/..")]
    [InlineData("/api/leads/contacts/7/tags/%2E%2E")]
    [InlineData("/api/leads/contacts/7/tags/%2e%2e")]
    [InlineData("/api/leads/contacts/7/tags/.%2E")]
    [InlineData("/api/leads/contacts/7/tags/.")]
    [InlineData("/api/leads/contacts/7/tags/%2e")]
    [InlineData("/api/leads/contacts/7/tags/../../8")]
    [InlineData("/api/leads/contacts/7/tags/a%2Fb")]
    [InlineData("/api/leads/contacts/7/tags/a%5Cb")]
    [InlineData("/api/leads/contacts/7/tags/a%FFb")]
    [InlineData("/api/leads/contacts/7/tags/a%0Ab")]
    public async Task Refuses_a_path_trick_instead_of_forwarding_another_route(string path)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Delete, path, probe, Token);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("path", out _));
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    [Theory]
    [InlineData("?email=a%00b", "email")]
    [InlineData("?email=%FF", "email")]
    [InlineData("?email=%ED%A0%80", "email")] // a lone surrogate, as UTF-8 would encode it if it could
    [InlineData("?a%00b=1", "query")]
    public async Task Refuses_query_text_that_cannot_be_stored_naming_the_parameter(string query, string field)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts" + query, probe, Token);

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    [Theory]
    [InlineData("café")]
    [InlineData("a\u0001b")]
    [InlineData("a\u007Fb")]
    public async Task Refuses_a_header_value_outside_printable_ascii_naming_the_header(string value)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", probe, Token,
            headers: new Dictionary<string, string> { ["X-Note"] = value });

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.BadRequest);
        Assert.True(problem.GetProperty("errors").TryGetProperty("X-Note", out _), problem.ToString());
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    [Fact]
    public async Task Answers_a_query_over_the_limit_with_a_414_problem()
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts?q=" + new string('x', 100 * 1024), probe, Token);

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestUriTooLong);
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    [Fact]
    public async Task Answers_headers_over_the_limit_with_a_431_problem()
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", probe, Token,
            headers: new Dictionary<string, string> { ["X-Padding"] = new string('x', 40 * 1024) });

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    [Theory]
    [InlineData("GET", "/api/webhook/hubspot")]
    [InlineData("PUT", "/webhooks/hubspot")]
    [InlineData("DELETE", "/webhooks/stripe/events")]
    [InlineData("GET", "/webhooks/postmark/bounces")]
    public async Task Answers_an_unsupported_method_on_a_webhook_route_with_a_405_problem(string method, string path)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(new HttpMethod(method), path, probe);

        await Problems.AssertProblemAsync(response, HttpStatusCode.MethodNotAllowed);
        Assert.Equal("POST", Assert.Single(response.Content.Headers.Allow));
        Assert.All(app.Backends.Values, backend => Assert.Empty(backend.Received(probe)));
    }

    [Fact]
    public async Task Answers_with_problems_whatever_the_client_accepts()
    {
        var browser = new Dictionary<string, string> { ["Accept"] = "text/html" };

        var unknown = await app.SendAsync(HttpMethod.Get, "/no/such/route", NewProbe(), Token, headers: browser);
        var anonymous = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", NewProbe(), headers: browser);
        var trick = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts/..", NewProbe(), Token, headers: browser);

        await Problems.AssertProblemAsync(unknown, HttpStatusCode.NotFound);
        await Problems.AssertProblemAsync(anonymous, HttpStatusCode.Unauthorized);
        await Problems.AssertProblemAsync(trick, HttpStatusCode.BadRequest);
    }

    static string NewProbe() => Guid.NewGuid().ToString("N");
}
