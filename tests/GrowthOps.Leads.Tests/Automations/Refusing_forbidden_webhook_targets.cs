using System.Net;
using GrowthOps.Contracts.Leads;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace GrowthOps.Leads.Tests.Automations;

/// <summary>Webhooks with the loopback switch off, as in production: the receiver on this machine must get nothing.</summary>
public sealed class Refusing_forbidden_webhook_targets : IClassFixture<Refusing_forbidden_webhook_targets.WithoutLoopback>, IDisposable
{
    /// <summary>Leads with <c>Outbound:AllowLoopback</c> off (http stays allowed: WireMock speaks http).</summary>
    public sealed class WithoutLoopback : LeadsApp
    {
        protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["Outbound:AllowLoopback"] = "false" };
    }

    readonly WithoutLoopback _app;
    readonly WireMockServer _receiver = WireMockServer.Start();

    public Refusing_forbidden_webhook_targets(WithoutLoopback app)
    {
        _app = app;
        _receiver.Given(Request.Create().WithPath("/hooks/ok").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
    }

    public void Dispose() => _receiver.Stop();

    static object Automation(string url) => new
    {
        name = "Forge", trigger = "on_enter", state = "contacted", actions = new object[] { new { type = "webhook", url, secret = "s3cret" } },
    };

    [Theory]
    [InlineData("http://127.0.0.1:15672/api/vhosts", "127.0.0.1: a loopback address")]
    [InlineData("http://169.254.169.254/latest/meta-data/iam/security-credentials/", "169.254.169.254: a cloud metadata address")]
    [InlineData("http://2130706433/", "127.0.0.1: a loopback address")]
    [InlineData("http://0x7f.1:5432/", "127.0.0.1: a loopback address")]
    [InlineData("http://[::ffff:169.254.169.254]/", "a cloud metadata address")]
    [InlineData("http://[fd00:ec2::254]/latest/meta-data/", "a cloud metadata address")]
    [InlineData("http://10.0.0.8/hook", "a private address")]
    [InlineData("http://localhost:5101/api/leads/contacts", "a loopback address")]
    [InlineData("https://user:password@hooks.example.com/leads", "user name or password")]
    public async Task A_webhook_url_to_a_forbidden_address_is_a_validation_problem_naming_the_field(string url, string reason)
    {
        var tenant = Guid.NewGuid();
        var client = _app.ClientFor(tenant);
        var created = await client.Post("/api/leads/automations", Automation(url));
        Assert.Equal(HttpStatusCode.BadRequest, created.StatusCode);
        Assert.Contains(reason, (await created.Json()).GetProperty("errors").GetProperty("actions[0].url")[0].GetString(), StringComparison.Ordinal);
        Assert.Equal(0L, await _app.Database.ScalarAsync<long>("select count(*) from leads.lead_state_automations where tenant_id = $1", tenant));

        var id = await client.CreateAutomationId(Automation("https://hooks.example.com/leads"));
        var patched = await client.Patch($"/api/leads/automations/{id}", new { actions = new object[] { new { type = "webhook", url, secret = "s3cret" } } });
        Assert.Equal(HttpStatusCode.BadRequest, patched.StatusCode);
        Assert.True((await patched.Json()).GetProperty("errors").TryGetProperty("actions[0].url", out _));
        var stored = await client.GetJson($"/api/leads/automations/{id}");
        Assert.Equal("https://hooks.example.com/leads", stored.GetProperty("actions")[0].GetProperty("url").GetString());
    }

    [Fact]
    public async Task A_webhook_whose_host_resolves_to_a_forbidden_address_is_refused_when_called_and_recorded_as_failed()
    {
        // This machine's name passes the URL check (it is not an address) and resolves to its own, loopback or private, addresses.
        var url = $"http://{Dns.GetHostName()}:{_receiver.Port}/hooks/ok";
        var client = _app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Rebound", trigger = "on_enter", state = "contacted",
            actions = new object[] { new { type = "webhook", url, secret = "s3cret" }, new { type = "add_tag", tag = "after-webhook" } },
        });
        var contactId = await client.CreateContact(new { email = "rebound@example.com" });

        await client.Transition(contactId, "contacted");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("failed", execution.GetProperty("status").GetString());
        var results = execution.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("failed", results[0].GetProperty("status").GetString());
        Assert.Contains("The webhook was refused.", results[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Contains($"{Dns.GetHostName()} resolves to", results[0].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("succeeded", results[1].GetProperty("status").GetString());
        await _app.Events.WaitFor<TagAdded>(e => e.ContactId == contactId && e.Tag == "after-webhook");
        Assert.Empty(_receiver.LogEntries);
    }
}
