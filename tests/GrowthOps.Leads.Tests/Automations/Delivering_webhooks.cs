using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace GrowthOps.Leads.Tests.Automations;

public sealed class Delivering_webhooks : IClassFixture<LeadsApp>, IAsyncLifetime
{
    readonly LeadsApp _app;
    readonly WireMockServer _receiver = WireMockServer.Start();

    public Delivering_webhooks(LeadsApp app)
    {
        _app = app;
        _receiver.Given(Request.Create().WithPath("/hooks/ok").UsingPost()).RespondWith(Response.Create().WithStatusCode(204));
        _receiver.Given(Request.Create().WithPath("/hooks/broken").UsingPost()).RespondWith(Response.Create().WithStatusCode(500));
        _receiver.Given(Request.Create().WithPath("/hooks/moved").UsingPost())
            .RespondWith(Response.Create().WithStatusCode(302).WithHeader("Location", "http://169.254.169.254/latest/meta-data/iam/"));
    }

    /// <summary>On 127.0.0.1, which LeadsApp's <c>Outbound:AllowLoopback</c> lets through.</summary>
    string Hook(string path) => $"http://127.0.0.1:{_receiver.Port}{path}";

    /// <summary>
    /// WireMock's first request takes seconds here (start-up work in the test process), longer than a webhook attempt may:
    /// warm it, so the tests measure our deliveries and retries rather than the fake's start-up.
    /// </summary>
    public async Task InitializeAsync()
    {
        using var http = new HttpClient();
        await http.GetAsync($"{_receiver.Url}/warm-up");
    }

    public Task DisposeAsync()
    {
        _receiver.Stop();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task A_webhook_receives_the_state_change_signed_with_the_automation_secret()
    {
        var client = _app.ClientFor(Guid.NewGuid());
        const string secret = "whsec-test-0123456789";
        var automationId = await client.CreateAutomationId(new
        {
            name = "Tell the CRM", trigger = "on_enter", state = "contacted",
            actions = new object[] { new { type = "webhook", url = Hook("/hooks/ok"), secret } },
        });
        var contactId = await client.CreateContact(new { email = "hook@example.com", first_name = "Hook" });

        await client.Transition(contactId, "contacted");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.True(execution.GetProperty("status").GetString() == "succeeded", execution.ToString());
        Assert.Equal(204, Assert.Single(execution.GetProperty("results").EnumerateArray()).GetProperty("status_code").GetInt32());

        var request = Assert.Single(Deliveries("/hooks/ok", contactId));
        var body = request.BodyAsBytes ?? Encoding.UTF8.GetBytes(request.Body!);
        var expected = "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));
        Assert.Equal(expected, Header(request.Headers, "X-GrowthOps-Signature"));
        var timestamp = DateTimeOffset.FromUnixTimeSeconds(long.Parse(Header(request.Headers, "X-GrowthOps-Timestamp"), CultureInfo.InvariantCulture));
        Assert.InRange(timestamp, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));

        using var json = JsonDocument.Parse(body);
        var root = json.RootElement;
        Assert.Equal("lead.state_changed", root.GetProperty("event").GetString());
        Assert.Equal(automationId, root.GetProperty("automation_id").GetGuid());
        Assert.Equal("new", root.GetProperty("from_state").GetString());
        Assert.Equal("contacted", root.GetProperty("to_state").GetString());
        Assert.Equal(contactId, root.GetProperty("contact").GetProperty("id").GetGuid());
        Assert.Equal("Hook", root.GetProperty("contact").GetProperty("first_name").GetString());
        Assert.Equal(execution.GetProperty("history_id").GetGuid(), root.GetProperty("history_id").GetGuid());
        root.GetProperty("occurred_at").GetDateTimeOffset();
    }

    [Fact]
    public async Task A_webhook_that_keeps_failing_is_retried_then_recorded_as_failed_and_the_message_is_still_handled()
    {
        var client = _app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Broken receiver", trigger = "on_enter", state = "contacted",
            actions = new object[]
            {
                new { type = "webhook", url = Hook("/hooks/broken"), secret = "s3cret" },
                new { type = "add_tag", tag = "after-webhook" },
            },
        });
        var contactId = await client.CreateContact(new { email = "broken@example.com" });

        await client.Transition(contactId, "contacted");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("failed", execution.GetProperty("status").GetString());
        Assert.Contains("500", execution.GetProperty("error").GetString());
        var results = execution.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal(("failed", 500), (results[0].GetProperty("status").GetString(), results[0].GetProperty("status_code").GetInt32()));
        Assert.Equal("succeeded", results[1].GetProperty("status").GetString());
        // The first attempt and three retries, once: the message was handled, not redelivered.
        Assert.Equal(4, Deliveries("/hooks/broken", contactId).Count);
        await _app.Events.WaitFor<TagAdded>(e => e.ContactId == contactId && e.Tag == "after-webhook");
    }

    [Fact]
    public async Task A_webhook_redirected_to_a_metadata_address_is_refused_once_and_recorded_as_failed()
    {
        var client = _app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Redirected", trigger = "on_enter", state = "contacted",
            actions = new object[] { new { type = "webhook", url = Hook("/hooks/moved"), secret = "s3cret" } },
        });
        var contactId = await client.CreateContact(new { email = "moved@example.com" });

        await client.Transition(contactId, "contacted");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("failed", execution.GetProperty("status").GetString());
        var error = Assert.Single(execution.GetProperty("results").EnumerateArray()).GetProperty("error").GetString();
        Assert.Contains("redirected to a URL that must not point at 169.254.169.254: a cloud metadata address", error, StringComparison.Ordinal);
        // A refusal is not a transient failure: asked once, not retried.
        Assert.Single(Deliveries("/hooks/moved", contactId));
    }

    List<WireMock.IRequestMessage> Deliveries(string path, Guid contactId) =>
        _receiver.LogEntries.Select(e => e.RequestMessage)
            .Where(r => r.Path == path && r.Body is { } body && body.Contains(contactId.ToString(), StringComparison.Ordinal)).ToList();

    static string Header(IDictionary<string, WireMock.Types.WireMockList<string>>? headers, string name) =>
        Assert.Single(headers!.Single(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value);
}
