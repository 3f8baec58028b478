using System.Net;

namespace GrowthOps.Gateway.Tests;

public sealed class Rate_limiting_callers
{
    /// <summary>Two requests, then nothing for an hour: no refill can happen while a test runs.</summary>
    static Dictionary<string, string?> TinyLimit(string policy) => new()
    {
        [$"RateLimiting:{policy}:PermitsPerPeriod"] = "1",
        [$"RateLimiting:{policy}:Period"] = "01:00:00",
        [$"RateLimiting:{policy}:Burst"] = "2",
    };

    [Fact]
    public async Task Rejects_a_tenant_over_its_limit_with_a_problem_and_retry_after_while_another_tenant_is_served()
    {
        await using var app = GatewayApp.With(TinyLimit("PerTenant"));
        var busy = Tokens.ForTenant(Guid.NewGuid());
        var probe = Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", probe, busy)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Get, "/api/segments/segments", probe, busy)).StatusCode);
        var rejected = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", probe, busy);

        var problem = await Problems.AssertProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
        var retryAfter = rejected.Headers.RetryAfter?.Delta;
        Assert.NotNull(retryAfter);
        Assert.InRange(retryAfter.Value, TimeSpan.FromSeconds(1), TimeSpan.FromHours(1));
        Assert.Single(app.Backends["leads"].Received(probe));

        var other = await app.SendAsync(HttpMethod.Get, "/api/leads/contacts", Guid.NewGuid().ToString("N"), Tokens.ForTenant(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.OK, other.StatusCode);
    }

    [Fact]
    public async Task Rejects_an_anonymous_caller_over_its_address_limit_without_touching_tenant_limits()
    {
        await using var app = GatewayApp.With(TinyLimit("PerIp"));
        var probe = Guid.NewGuid().ToString("N");

        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Post, "/webhooks/stripe/events", probe, content: new StringContent("{}"))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await app.SendAsync(HttpMethod.Get, "/t/o/1.gif", probe)).StatusCode);
        var rejected = await app.SendAsync(HttpMethod.Post, "/webhooks/stripe/events", probe, content: new StringContent("{}"));

        await Problems.AssertProblemAsync(rejected, HttpStatusCode.TooManyRequests);
        Assert.NotNull(rejected.Headers.RetryAfter?.Delta);
        Assert.Single(app.Backends["revenue"].Received(probe));

        var tenant = await app.SendAsync(HttpMethod.Get, "/api/revenue/events", probe, Tokens.ForTenant(Guid.NewGuid()));
        Assert.Equal(HttpStatusCode.OK, tenant.StatusCode);
    }
}
