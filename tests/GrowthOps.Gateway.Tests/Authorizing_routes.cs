using System.Net;

namespace GrowthOps.Gateway.Tests;

public sealed class Authorizing_routes
{
    [Fact]
    public async Task Requires_a_tenant_on_a_route_configured_with_the_default_policy()
    {
        await using var app = GatewayApp.With(new Dictionary<string, string?> { ["ReverseProxy:Routes:revenue:AuthorizationPolicy"] = "default" });
        var probe = Guid.NewGuid().ToString("N");

        var withoutTenant = await app.SendAsync(HttpMethod.Get, "/api/revenue/events", probe, Tokens.Create(new Dictionary<string, object>()));
        var withTenant = await app.SendAsync(HttpMethod.Get, "/api/revenue/events", probe, Tokens.ForTenant(Guid.NewGuid()));

        await Problems.AssertProblemAsync(withoutTenant, HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.OK, withTenant.StatusCode);
        Assert.Single(app.Backends["revenue"].Received(probe));
    }

    [Fact]
    public async Task Answers_a_502_problem_when_the_service_is_unreachable()
    {
        // Port 1 on loopback has no listener: the connection is refused at once.
        await using var app = GatewayApp.With(new Dictionary<string, string?>
        {
            ["ReverseProxy:Clusters:attribution:Destinations:d1:Address"] = "http://127.0.0.1:1/",
        });

        var response = await app.SendAsync(HttpMethod.Get, "/api/attribution/paths", Guid.NewGuid().ToString("N"), Tokens.ForTenant(Guid.NewGuid()));

        await Problems.AssertProblemAsync(response, HttpStatusCode.BadGateway);
    }
}
