using System.Net;
using System.Net.Http.Headers;

namespace GrowthOps.Gateway.Tests;

public sealed class Limiting_request_bodies(Limiting_request_bodies.SmallLimitGateway app) : IClassFixture<Limiting_request_bodies.SmallLimitGateway>
{
    const int Limit = 4096;

    public sealed class SmallLimitGateway() : GatewayApp(new Dictionary<string, string?> { ["Http:MaxRequestBodyBytes"] = $"{Limit}" });

    static readonly string Token = Tokens.ForTenant(Guid.NewGuid());

    [Fact]
    public async Task Rejects_a_body_over_the_limit_with_a_413_problem_before_it_reaches_the_service()
    {
        var probe = Guid.NewGuid().ToString("N");

        var response = await app.SendAsync(HttpMethod.Post, "/api/revenue/events", probe, Token, Body(Limit + 1));

        var problem = await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Contains($"{Limit} bytes", problem.GetProperty("detail").GetString());
        Assert.Empty(app.Backends["revenue"].Received(probe));
    }

    [Fact]
    public async Task Accepts_a_body_at_the_limit()
    {
        var probe = Guid.NewGuid().ToString("N");

        var response = await app.SendAsync(HttpMethod.Post, "/api/revenue/events", probe, Token, Body(Limit));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Limit, Assert.Single(app.Backends["revenue"].Received(probe)).BodyAsBytes?.Length);
    }

    [Fact]
    public async Task Rejects_a_streamed_body_without_a_length_once_it_passes_the_limit()
    {
        var response = await app.SendAsync(HttpMethod.Post, "/api/revenue/events", Guid.NewGuid().ToString("N"), Token,
            new StreamContent(new MemoryStream(new byte[Limit * 4])));

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
    }

    [Fact]
    public async Task Accepts_a_larger_body_on_the_activity_batch_route()
    {
        var probe = Guid.NewGuid().ToString("N");

        var response = await app.SendAsync(HttpMethod.Post, "/api/leads/activities/batch", probe, Token, Body(Limit * 4));

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(Limit * 4, Assert.Single(app.Backends["leads"].Received(probe)).BodyAsBytes?.Length);
    }

    static ByteArrayContent Body(int bytes)
    {
        var content = new ByteArrayContent(new byte[bytes]);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return content;
    }

    [Fact]
    public async Task Holds_leads_rest_routes_to_the_limit_leads_itself_applies()
    {
        // Leads answers 413 above 1 MiB on /api/leads (except the batch); were the gateway to pass more, Leads would close the
        // connection mid-body and the client would see a 502 instead of the 413.
        await using var gateway = new GatewayApp();
        await gateway.InitializeAsync();
        var probe = Guid.NewGuid().ToString("N");

        // Expect: 100-continue, as a careful uploader sends a large body: the 413 comes before the body, so the client reads it
        // instead of a broken pipe from a server that refused to take the rest.
        var response = await gateway.SendAsync(HttpMethod.Post, "/api/leads/transitions/bulk", probe, Token, Body(1024 * 1024 + 1),
            new Dictionary<string, string> { ["Expect"] = "100-continue" });

        await Problems.AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge);
        Assert.Empty(gateway.Backends["leads"].Received(probe));
    }
}
