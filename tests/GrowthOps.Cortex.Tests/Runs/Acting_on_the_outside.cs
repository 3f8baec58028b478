using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using Microsoft.Extensions.DependencyInjection;
using WireMock.Server;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Runs;

/// <summary>
/// Actions that reach outside: signed webhooks with stored secrets, SMS through a Twilio-format API, in-app notifications,
/// the outbound guard and the per-host circuit breaker. The receivers are WireMock servers speaking the real wire formats.
/// </summary>
public sealed class Acting_on_the_outside(CortexApp app) : IClassFixture<CortexApp>
{
    static async Task<Guid> Publish(HttpClient client, object action)
    {
        var graph = new
        {
            nodes = new[] { Node("t1", "trigger", new { trigger_type = "custom.event" }), Node("a1", "action", action) },
            edges = new[] { new { id = "e1", source = "t1", target = "a1" } },
        };
        return await client.PublishWorkflow(graph, new { reentry = "always" });
    }

    async Task<Guid> KnownContact(Guid tenant, string? phone = null, string? owner = null)
    {
        var id = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, new ContactSnapshot(id, $"{id:N}@example.com", "lead", "Ada", "Lovelace", phone, null, "web",
            null, owner, 0, null, true, [], "new", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(id, default)), c => c is not null,
            TimeSpan.FromSeconds(20), "Cortex knows the contact");
        return id;
    }

    [Fact]
    public async Task A_signed_webhook_carries_a_standard_webhooks_signature_and_stored_secrets_that_the_log_never_shows()
    {
        using var receiver = WireMockServer.Start();
        receiver.Given(Request.Create().WithPath("/orders").UsingPost()).RespondWith(Response.Create().WithStatusCode(200).WithBodyAsJson(new { ok = true }));
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));
        await (await client.PutAsJsonAsync("/api/cortex/secrets/shop_signing", new { value = "whsec_" + key }, CortexApp.Json)).Expect(HttpStatusCode.OK);
        await (await client.PutAsJsonAsync("/api/cortex/secrets/shop_api_key", new { value = "sk_live_very_secret" }, CortexApp.Json)).Expect(HttpStatusCode.OK);
        var listed = await client.GetJson("/api/cortex/secrets");
        Assert.Equal(["shop_api_key", "shop_signing"], listed.EnumerateArray().Select(s => s.GetProperty("name").GetString()));
        Assert.DoesNotContain("sk_live", listed.GetRawText());

        var id = await Publish(client, new
        {
            action_type = "send_webhook",
            config = new { url = receiver.Url + "/orders", signing_secret = "shop_signing", headers = new { Authorization = "Bearer {{secrets.shop_api_key}}" },
                body = new { run = "{{run.id}}" } },
        });
        var runId = await client.StartRun(id);
        Assert.Equal("completed", (await client.FinishedRun(runId)).GetProperty("status").GetString());

        var call = Assert.Single(receiver.LogEntries).RequestMessage;
        Assert.Equal("Bearer sk_live_very_secret", call.Headers!["Authorization"].Single());
        var (msgId, timestamp, signature) = (call.Headers["webhook-id"].Single(), call.Headers["webhook-timestamp"].Single(), call.Headers["webhook-signature"].Single());
        // The Standard Webhooks scheme, checked by hand: v1,base64(HMAC-SHA256(key, id.timestamp.body)).
        var expected = Convert.ToBase64String(HMACSHA256.HashData(Convert.FromBase64String(key), Encoding.UTF8.GetBytes($"{msgId}.{timestamp}.{call.Body}")));
        Assert.Equal($"v1,{expected}", signature);
        Assert.Contains(runId.ToString(), call.Body);
        var logs = await client.GetJson($"/api/cortex/runs/{runId}/logs");
        Assert.DoesNotContain("sk_live_very_secret", logs.GetRawText());
        Assert.Contains("Bearer ********", logs.GetRawText());
        // Sealed at rest: the value is not in the table's bytes.
        var stored = await app.Database.ScalarAsync<string>("select encode(sealed, 'escape') from cortex.secrets where tenant_id = $1 and name = 'shop_api_key'", tenant);
        Assert.DoesNotContain("very_secret", stored);
        // A webhook naming a secret that is not set fails at once, saying which.
        var missing = await Publish(client, new { action_type = "send_webhook", config = new { url = receiver.Url + "/orders", signing_secret = "nope" } });
        var failed = await client.FinishedRun(await client.StartRun(missing));
        Assert.Contains("'nope' is not set", failed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_sms_goes_through_the_twilio_messages_api_with_the_tenants_credentials()
    {
        using var twilio = WireMockServer.Start();
        twilio.Given(Request.Create().WithPath("/2010-04-01/Accounts/AC0123/Messages.json").UsingPost()
                .WithHeader("Authorization", "Basic " + Convert.ToBase64String("AC0123:auth-token-1"u8.ToArray())))
            .RespondWith(Response.Create().WithStatusCode(201).WithHeader("Content-Type", "application/json").WithBody("""
                {"account_sid":"AC0123","api_version":"2010-04-01","body":"{{request.bodyAsFormUrlEncoded.Body}}","date_created":"Thu, 03 Dec 2026 10:00:00 +0000",
                 "direction":"outbound-api","error_code":null,"error_message":null,"from":"+15005550006","num_segments":"1","price":null,
                 "sid":"SM1f0e8ae6ade43cb3c0ce4525424e404f","status":"queued","to":"+14155552671","uri":"/2010-04-01/Accounts/AC0123/Messages/SM1f0e8ae6ade43cb3c0ce4525424e404f.json"}
                """).WithTransformer());
        twilio.Given(Request.Create().WithPath("/2010-04-01/Accounts/AC0123/Messages.json").UsingPost()).AtPriority(10)
            .RespondWith(Response.Create().WithStatusCode(401).WithBodyAsJson(new { code = 20003, message = "Authenticate", more_info = "https://www.twilio.com/docs/errors/20003", status = 401 }));
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        // A Twilio-compatible provider at another address (here the fake) is the tenant's twilio_base_url.
        foreach (var (name, value) in new[] { ("twilio_account_sid", "AC0123"), ("twilio_auth_token", "auth-token-1"), ("twilio_from", "+15005550006"),
                     ("twilio_base_url", twilio.Url!) })
            await (await client.PutAsJsonAsync($"/api/cortex/secrets/{name}", new { value }, CortexApp.Json)).Expect(HttpStatusCode.OK);
        var contact = await KnownContact(tenant, phone: "+14155552671");
        var id = await Publish(client, new { action_type = "send_sms", config = new { body = "Hi {{contact.first_name}}, your order shipped" } });
        var runId = await client.StartRun(id, contact);
        var run = await client.FinishedRun(runId);
        Assert.Equal("completed", run.GetProperty("status").GetString());
        Assert.Equal("SM1f0e8ae6ade43cb3c0ce4525424e404f", run.GetProperty("context").GetProperty("steps").GetProperty("a1").GetProperty("sid").GetString());
        var form = System.Web.HttpUtility.ParseQueryString(Assert.Single(twilio.LogEntries).RequestMessage.Body!);
        Assert.Equal(("+14155552671", "+15005550006", "Hi Ada, your order shipped"), (form["To"], form["From"], form["Body"]));

        // Wrong credentials: Twilio's 401 is no retryable failure, the run fails at once.
        await (await client.PutAsJsonAsync("/api/cortex/secrets/twilio_auth_token", new { value = "rotated-elsewhere" }, CortexApp.Json)).Expect(HttpStatusCode.OK);
        var refused = await client.FinishedRun(await client.StartRun(id, contact));
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("answered 401", refused.GetProperty("error").GetString());
        Assert.Equal(2, twilio.LogEntries.Count());
    }

    [Fact]
    public async Task A_notification_lands_in_the_users_inbox_once_and_is_marked_read()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await KnownContact(tenant, owner: "rep-7");
        var id = await Publish(client, new { action_type = "send_notification", config = new { title = "{{contact.first_name}} is hot", link = "/contacts/{{contact.id}}" } });
        var runId = await client.StartRun(id, contact);
        Assert.Equal("completed", (await client.FinishedRun(runId)).GetProperty("status").GetString());

        var rep = app.CreateClient();
        rep.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenFor(tenant, "rep-7"));
        var inbox = await rep.GetJson("/api/cortex/notifications");
        var note = Assert.Single(inbox.GetProperty("items").EnumerateArray());
        Assert.Equal(("Ada is hot", $"/contacts/{contact}", runId, 1L), (note.GetProperty("title").GetString(), note.GetProperty("link").GetString(),
            note.GetProperty("run_id").GetGuid(), inbox.GetProperty("unread").GetInt64()));
        // Another user of the tenant, and the same user in another tenant, see nothing.
        var other = app.CreateClient();
        other.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenFor(tenant, "rep-8"));
        Assert.Empty((await other.GetJson("/api/cortex/notifications")).GetProperty("items").EnumerateArray());
        await (await other.PostAsync($"/api/cortex/notifications/{note.GetProperty("id").GetGuid()}/read", null)).Expect(HttpStatusCode.NotFound);
        var elsewhere = app.CreateClient();
        elsewhere.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", TokenFor(Guid.NewGuid(), "rep-7"));
        Assert.Empty((await elsewhere.GetJson("/api/cortex/notifications")).GetProperty("items").EnumerateArray());

        var read = await (await rep.PostAsync($"/api/cortex/notifications/{note.GetProperty("id").GetGuid()}/read", null)).Expect(HttpStatusCode.OK);
        Assert.NotEqual(JsonValueKind.Null, read.GetProperty("read_at").ValueKind);
        Assert.Equal(0, (await rep.GetJson("/api/cortex/notifications?unread=true")).GetProperty("unread").GetInt64());
    }

    [Fact]
    public async Task A_segment_action_sends_segments_its_command_and_a_refusal_lands_in_the_runs_log()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await KnownContact(tenant);
        var segment = Guid.NewGuid();
        var id = await Publish(client, new { action_type = "add_to_segment", config = new { segment_id = segment.ToString() } });
        var runId = await client.StartRun(id, contact);
        var command = await app.Bus.WaitFor<GrowthOps.Contracts.Segments.AddToSegment>(m => m.TenantId == tenant);
        Assert.Equal((segment, contact, $"workflow:{id}:run:{runId}"), (command.SegmentId, command.ContactId, command.RequestedBy));
        await client.FinishedRun(runId);

        await app.Bus.Bus.Publish(new GrowthOps.Contracts.Segments.SegmentCommandFailed(tenant, command.CommandId, "AddToSegment", segment, contact,
            command.RequestedBy, "segment_dynamic", "Segment 'VIP' is dynamic: its criteria decide its members.", DateTimeOffset.UtcNow));
        var logs = await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{runId}/logs"),
            l => l.EnumerateArray().Any(x => x.GetProperty("message").GetString()!.StartsWith("Segments refused AddToSegment", StringComparison.Ordinal)),
            TimeSpan.FromSeconds(20), "the refusal is in the run's log");
        Assert.Equal("a1", logs.EnumerateArray().Single(x => x.GetProperty("message").GetString()!.StartsWith("Segments refused", StringComparison.Ordinal))
            .GetProperty("node_id").GetString());
    }

    static string TokenFor(Guid tenant, string sub) => TestTokens.For(tenant, sub: sub);

    [Fact]
    public async Task A_call_to_a_metadata_address_is_refused_and_a_failing_host_trips_its_circuit()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ssrf = await Publish(client, new { action_type = "http_request", config = new { url = "http://169.254.169.254/latest/meta-data/" } });
        var refused = await client.FinishedRun(await client.StartRun(ssrf));
        Assert.Equal("failed", refused.GetProperty("status").GetString());
        Assert.Contains("refused", refused.GetProperty("error").GetString());
        var attempts = (await client.GetJson($"/api/cortex/runs/{refused.GetProperty("id").GetGuid()}/logs")).EnumerateArray()
            .Count(l => l.GetProperty("node_id").GetString() == "a1" && l.GetProperty("status").GetString() is "failed" or "dead_lettered");
        Assert.Equal(1, attempts); // not retried: it can never succeed

        using var down = WireMockServer.Start();
        down.Given(Request.Create().UsingAnyMethod()).RespondWith(Response.Create().WithStatusCode(503));
        var flaky = await Publish(client, new { action_type = "http_request", config = new { url = down.Url + "/status" } });
        var runs = new List<Guid>();
        for (var i = 0; i < 4; i++)
            runs.Add(await client.StartRun(flaky));
        foreach (var run in runs)
            Assert.Equal("failed", (await client.FinishedRun(run)).GetProperty("status").GetString());
        // 4 runs × 3 attempts = 12; after 5 failures the circuit opens and the rest fail without a call.
        Assert.InRange(down.LogEntries.Count(), 5, 8);
        var logs = new List<string>();
        foreach (var run in runs)
            logs.AddRange((await client.GetJson($"/api/cortex/runs/{run}/logs")).EnumerateArray().Select(l => l.GetProperty("error").GetString() ?? ""));
        Assert.Contains(logs, l => l.Contains("circuit for 127.0.0.1", StringComparison.Ordinal) || l.Contains("circuit for localhost", StringComparison.Ordinal));
    }
}
