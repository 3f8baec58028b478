using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Runs;

/// <summary>webhook.received: a workflow's secret URL that any system can post JSON to, each call a run (once per sender's key).</summary>
public sealed class Triggering_by_webhook(CortexApp app) : IClassFixture<CortexApp>
{
    [Fact]
    public async Task A_post_to_the_secret_url_starts_a_run_for_the_named_contact_once_per_idempotency_key()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "webhook.received", filter = new[] { new { field = "event.amount", @operator = "greater_or_equal", value = 10 } } }),
                Node("a1", "action", new { action_type = "add_tag", config = new { tag = "order-{{event.order_id}}" } }),
            },
            edges = new[] { new { id = "e1", source = "t1", target = "a1" } },
        };
        var id = (await (await client.Post("/api/cortex/workflows", new { name = "Shop orders", graph, reentry = "always" })).Expect(HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{id}/publish", null)).Expect(HttpStatusCode.Created);
        var made = await (await client.PostAsync($"/api/cortex/workflows/{id}/webhook", null)).Expect(HttpStatusCode.Created);
        var url = new Uri(made.GetProperty("url").GetString()!);
        Assert.StartsWith($"/webhooks/cortex/{tenant}/{id}/", url.AbsolutePath);
        // Shown once: afterwards masked.
        Assert.EndsWith("/********", (await client.GetJson($"/api/cortex/workflows/{id}/webhook")).GetProperty("url").GetString());

        var contactId = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, new ContactSnapshot(contactId, "grace@example.com", "lead", "Grace", "Hopper", null, null, "web",
            null, null, 0, null, true, [], "new", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(contactId, default)),
            c => c is not null, TimeSpan.FromSeconds(20), "Cortex knows the contact");

        var anonymous = app.CreateClient();
        async Task<HttpResponseMessage> Post(Uri to, object body, string? key = null)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, to.AbsolutePath) { Content = System.Net.Http.Json.JsonContent.Create(body) };
            if (key is not null)
                request.Headers.Add("Idempotency-Key", key);
            return await anonymous.SendAsync(request);
        }

        var first = await (await Post(url, new { email = "GRACE@example.com", order_id = "A-17", amount = 25 }, "order-A-17")).Expect(HttpStatusCode.Accepted);
        var runId = first.GetProperty("run_id").GetGuid();
        var tag = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant);
        Assert.Equal(("order-A-17", contactId), (tag.Tag, tag.ContactId));
        // The sender retries: the same run, nothing new.
        var again = await (await Post(url, new { email = "grace@example.com", order_id = "A-17", amount = 25 }, "order-A-17")).Expect(HttpStatusCode.Accepted);
        Assert.Equal(runId, again.GetProperty("run_id").GetGuid());
        // Below the trigger's filter: accepted, no run.
        Assert.Equal(JsonValueKind.Null, (await (await Post(url, new { order_id = "A-18", amount = 5 })).Expect(HttpStatusCode.Accepted))
            .GetProperty("run_id").ValueKind);
        var run = await client.GetJson($"/api/cortex/runs/{runId}");
        Assert.Equal(("webhook.received", contactId, 25), (run.GetProperty("trigger_type").GetString(), run.GetProperty("contact_id").GetGuid(),
            run.GetProperty("context").GetProperty("event").GetProperty("amount").GetInt32()));
        Assert.Equal(1, (await client.GetJson($"/api/cortex/runs?workflow_id={id}")).GetProperty("items").GetArrayLength());

        // Refused: a wrong secret, another tenant's path, a body that is no object, an unknown contact.
        var wrong = new Uri(url, url.AbsolutePath[..(url.AbsolutePath.LastIndexOf('/') + 1)] + "not-the-secret-but-long-enough");
        await (await Post(wrong, new { amount = 50 })).Expect(HttpStatusCode.NotFound);
        await (await Post(new Uri(url, url.AbsolutePath.Replace(tenant.ToString(), Guid.NewGuid().ToString())), new { amount = 50 })).Expect(HttpStatusCode.NotFound);
        await (await Post(url, new[] { 1, 2 })).Expect(HttpStatusCode.BadRequest);
        await (await Post(url, new { contact_id = Guid.NewGuid(), amount = 50 })).Expect(HttpStatusCode.BadRequest);

        // Rotated: the old URL is dead at once; paused: 409; revoked: 404.
        var rotated = new Uri((await (await client.PostAsync($"/api/cortex/workflows/{id}/webhook", null)).Expect(HttpStatusCode.Created))
            .GetProperty("url").GetString()!);
        await (await Post(url, new { amount = 50 })).Expect(HttpStatusCode.NotFound);
        await (await Post(rotated, new { amount = 50, order_id = "B-1" })).Expect(HttpStatusCode.Accepted);
        await (await client.PostAsync($"/api/cortex/workflows/{id}/pause", null)).Expect(HttpStatusCode.OK);
        await (await Post(rotated, new { amount = 50 })).Expect(HttpStatusCode.Conflict);
        await (await client.DeleteAsync($"/api/cortex/workflows/{id}/webhook")).Expect(HttpStatusCode.NoContent);
        await (await Post(rotated, new { amount = 50 })).Expect(HttpStatusCode.NotFound);
        Assert.Equal(2, (await client.GetJson($"/api/cortex/runs?workflow_id={id}")).GetProperty("items").GetArrayLength());

        // A workflow with another trigger has no webhook URL to make.
        var other = (await (await client.Post("/api/cortex/workflows", new
        {
            name = "Not a hook",
            graph = new { nodes = new[] { Node("t1", "trigger", new { trigger_type = "custom.event" }), Node("a1", "action", new { action_type = "add_tag", config = new { tag = "x" } }) },
                edges = new[] { new { id = "e1", source = "t1", target = "a1" } } },
        })).Expect(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{other}/webhook", null)).Expect(HttpStatusCode.Conflict);
    }
}
