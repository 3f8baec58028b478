using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Yarp.ReverseProxy.Configuration;

namespace GrowthOps.Gateway.Tests;

public sealed class Routing_through_the_gateway(GatewayApp app) : IClassFixture<GatewayApp>
{
    static readonly Guid Tenant = Guid.NewGuid();

    [Fact]
    public async Task Rejects_a_request_without_a_token_with_a_problem()
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", probe);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.Contains(response.Headers.WwwAuthenticate, h => h.Scheme == "Bearer");
        Assert.Empty(app.Backends["leads"].Received(probe));
    }

    public static TheoryData<string, string> InvalidTokens => new()
    {
        { "expired", Tokens.Create(TenantClaim(), expires: DateTime.UtcNow.AddHours(-1)) },
        { "signed with another key", Tokens.Create(TenantClaim(), signingKey: "some-other-signing-key-that-is-long-enough-0123") },
        { "from another issuer", Tokens.Create(TenantClaim(), issuer: "someone-else") },
        { "for another audience", Tokens.Create(TenantClaim(), audience: "another-app") },
        { "not a JWT", "not-a-token" },
    };

    [Theory]
    [MemberData(nameof(InvalidTokens))]
    public async Task Rejects_an_invalid_token_with_a_problem(string why, string token)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/revenue/events", probe, token);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.True(app.Backends["revenue"].Received(probe).Count == 0, $"A token {why} reached the service.");
    }

    public static TheoryData<string, string> TokensWithoutATenant => new()
    {
        { "no tenant claim", Tokens.Create(new Dictionary<string, object>()) },
        { "a tenant that is not a UUID", Tokens.Create(new Dictionary<string, object> { ["tenant_id"] = "acme" }) },
        { "the empty UUID", Tokens.Create(new Dictionary<string, object> { ["tenant_id"] = Guid.Empty.ToString() }) },
    };

    [Theory]
    [MemberData(nameof(TokensWithoutATenant))]
    public async Task Forbids_a_valid_token_without_a_tenant(string why, string token)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/segments/segments", probe, token);

        await Problems.AssertProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.True(app.Backends["segments"].Received(probe).Count == 0, $"A token with {why} reached the service.");
    }

    [Theory]
    [InlineData("leads")]
    [InlineData("revenue")]
    [InlineData("segments")]
    [InlineData("cortex")]
    [InlineData("email")]
    [InlineData("adexecutor")]
    [InlineData("attribution")]
    public async Task Forwards_an_api_request_to_its_service_with_path_query_and_token_unchanged(string service)
    {
        var probe = NewProbe();
        var token = Tokens.ForTenant(Tenant);
        var path = $"/api/{service}/things/42/children";

        var response = await app.SendAsync(HttpMethod.Get, $"{path}?cursor=abc&limit=10", probe, token);

        await AssertServedByAsync(response, service);
        var received = Assert.Single(app.Backends[service].Received(probe));
        Assert.Equal(path, received.Path);
        Assert.Equal("?cursor=abc&limit=10", received.RawQuery);
        Assert.Equal($"Bearer {token}", FakeService.Header(received, "Authorization"));
        AssertNoOtherServiceReceived(probe, service);
    }

    [Theory]
    [InlineData("/api/synthex/leads/state", "leads")]
    [InlineData("/api/synthex/revenue", "revenue")]
    [InlineData("/api/synthex/segments", "segments")]
    [InlineData("/api/synthex/segments/evaluate", "segments")]
    [InlineData("/api/synthex/sequences/enroll", "cortex")]
    [InlineData("/api/synthex/workflows/run", "cortex")]
    [InlineData("/api/ml/budget/allocate", "adexecutor")]
    public async Task Forwards_the_seed_compatibility_routes_unchanged_to_the_owning_service(string path, string service)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Post, path, probe, Tokens.ForTenant(Tenant), new StringContent("{}"));

        await AssertServedByAsync(response, service);
        Assert.Equal(path, Assert.Single(app.Backends[service].Received(probe)).Path);
        AssertNoOtherServiceReceived(probe, service);
    }

    [Theory]
    [InlineData("/api/synthex/leads/state")]
    [InlineData("/api/ml/budget/allocate")]
    public async Task Requires_a_token_on_the_seed_compatibility_routes(string path)
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Post, path, probe, content: new StringContent("{}"));

        await Problems.AssertProblemAsync(response, HttpStatusCode.Unauthorized);
        AssertNoOtherServiceReceived(probe, except: null);
    }

    [Theory]
    [InlineData("POST", "/webhooks/hubspot/deals", "leads")]
    [InlineData("POST", "/api/webhook/hubspot", "leads")]
    [InlineData("POST", "/webhooks/postmark/bounces", "email")]
    [InlineData("POST", "/webhooks/stripe/events", "revenue")]
    [InlineData("POST", "/webhooks/cortex/3fa85f64-5717-4562-b3fc-2c963f66afa6/3fa85f64-5717-4562-b3fc-2c963f66afa7/secret", "cortex")]
    [InlineData("GET", "/t/o/0f8fad5b.gif", "email")]
    [InlineData("GET", "/t/c/0f8fad5b", "email")]
    [InlineData("GET", "/track/click/0f8fad5b", "attribution")]
    public async Task Lets_webhooks_and_tracking_through_without_a_token(string method, string path, string service)
    {
        var probe = NewProbe();
        var content = method == "POST" ? new StringContent("""{"event":"x"}""") : null;

        var response = await app.SendAsync(new HttpMethod(method), path, probe, content: content);

        await AssertServedByAsync(response, service);
        Assert.Equal(path, Assert.Single(app.Backends[service].Received(probe)).Path);
    }

    [Fact]
    public void Opens_only_webhooks_and_tracking_to_anonymous_callers()
    {
        var routes = app.Services.GetRequiredService<IProxyConfigProvider>().GetConfig().Routes;

        var anonymous = routes.Where(r => r.AuthorizationPolicy == ServiceDefaults.Extensions.AnonymousPolicy).Select(r => r.Match.Path).Order();
        Assert.Equal(
            ["/api/webhook/hubspot", "/t/{**catch-all}", "/track/{**catch-all}", "/webhooks/cortex/{**catch-all}",
             "/webhooks/hubspot/{**catch-all}", "/webhooks/postmark/{**catch-all}", "/webhooks/stripe/{**catch-all}"],
            anonymous);
        // Every other route falls back to the policy that requires a tenant; none may name a policy of its own.
        Assert.All(routes.Where(r => r.AuthorizationPolicy != ServiceDefaults.Extensions.AnonymousPolicy),
            r => Assert.Null(r.AuthorizationPolicy));
        Assert.All(routes, r => Assert.Equal(
            r.AuthorizationPolicy == ServiceDefaults.Extensions.AnonymousPolicy ? Extensions.PerIpPolicy : Extensions.PerTenantPolicy,
            r.RateLimiterPolicy));
    }

    [Theory]
    [InlineData("/health/live")]
    [InlineData("/health/ready")]
    public async Task Answers_health_checks_without_a_token(string path)
    {
        var response = await app.SendAsync(HttpMethod.Get, path, NewProbe());

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var health = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Healthy", health.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Continues_the_callers_trace_in_the_service()
    {
        var probe = NewProbe();
        var traceId = Convert.ToHexStringLower(Guid.NewGuid().ToByteArray());
        const string callerSpan = "00f067aa0ba902b7";

        var response = await app.SendAsync(HttpMethod.Get, "/api/cortex/workflows", probe, Tokens.ForTenant(Tenant),
            headers: new Dictionary<string, string> { ["traceparent"] = $"00-{traceId}-{callerSpan}-01" });

        await AssertServedByAsync(response, "cortex");
        var traceparent = FakeService.Header(Assert.Single(app.Backends["cortex"].Received(probe)), "traceparent");
        Assert.NotNull(traceparent);
        var parts = traceparent.Split('-');
        Assert.Equal(traceId, parts[1]);
        // The gateway's own span sits between the caller and the service.
        Assert.NotEqual(callerSpan, parts[2]);
    }

    [Fact]
    public async Task Drops_a_tenant_header_set_by_the_caller()
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/email/templates", probe, Tokens.ForTenant(Tenant),
            headers: new Dictionary<string, string> { ["X-Tenant-Id"] = Guid.NewGuid().ToString() });

        await AssertServedByAsync(response, "email");
        Assert.Null(FakeService.Header(Assert.Single(app.Backends["email"].Received(probe)), "X-Tenant-Id"));
    }

    [Fact]
    public async Task Passes_a_service_problem_through_unchanged()
    {
        const string problem = """{"type":"about:blank","title":"Not found","status":404,"detail":"No lead 7."}""";
        app.Backends["leads"].Answer("/api/leads/leads/7", 404, "application/problem+json", problem);

        var response = await app.SendAsync(HttpMethod.Get, "/api/leads/leads/7", NewProbe(), Tokens.ForTenant(Tenant));

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(problem, await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Answers_an_unknown_path_with_a_404_problem()
    {
        var probe = NewProbe();

        var response = await app.SendAsync(HttpMethod.Get, "/api/nothing-here/x", probe, Tokens.ForTenant(Tenant));

        await Problems.AssertProblemAsync(response, HttpStatusCode.NotFound);
        AssertNoOtherServiceReceived(probe, except: null);
    }

    static Dictionary<string, object> TenantClaim() => new() { ["tenant_id"] = Tenant.ToString() };

    static string NewProbe() => Guid.NewGuid().ToString("N");

    static async Task AssertServedByAsync(HttpResponseMessage response, string service)
    {
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(service, body.GetProperty("served_by").GetString());
    }

    void AssertNoOtherServiceReceived(string probe, string? except)
    {
        foreach (var (name, service) in app.Backends)
            if (name != except)
                Assert.True(service.Received(probe).Count == 0, $"{name} received the request.");
    }
}
