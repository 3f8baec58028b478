using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Runs;

/// <summary>Runs on the real bus: triggers start them once per event, the walker executes each step once, delays wake on time.</summary>
public sealed class Running_workflows(CortexApp app) : IClassFixture<CortexApp>
{
    static ContactSnapshot Contact(Guid id, string first, string? timezone = null) => new(id, $"{first.ToLowerInvariant()}@example.com", "lead", first,
        "Lovelace", null, "Analytical", "web", null, null, 10, timezone, true, [], "new", null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 1);

    async Task<JsonElement> RunOf(HttpClient client, Guid workflowId, Func<JsonElement, bool> done, string because) =>
        await Eventually.Until(async () =>
        {
            var page = await client.GetJson($"/api/cortex/runs?workflow_id={workflowId}");
            return page.GetProperty("items").EnumerateArray().FirstOrDefault();
        }, r => r.ValueKind == JsonValueKind.Object && done(r), TimeSpan.FromSeconds(30), because);

    static string Status(JsonElement run) => run.GetProperty("status").GetString()!;

    [Fact]
    public async Task The_seeds_verification_flow_spawns_a_run_sends_the_email_pauses_and_wakes_for_the_next_step()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "checkout.completed" }),
                Node("a1", "action", new { action_type = "send_email", config = new { subject = "Thanks, {{contact.first_name}}!", body = "<p>{{event.product}}</p>" } }),
                Node("d1", "delay", new { duration = new { amount = 2, unit = "seconds" } }),
                Node("a2", "action", new { action_type = "add_tag", config = new { tag = "bought-{{event.product}}" } }),
            },
            edges = new[] { Edge("t1", "a1"), Edge("a1", "d1"), Edge("d1", "a2") },
        };
        var workflowId = await client.PublishWorkflow(graph);
        var contactId = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, Contact(contactId, "Ada"), DateTimeOffset.UtcNow));
        var checkout = new ActivityRecorded(tenant, Guid.NewGuid(), contactId, "ada@example.com", "checkout.completed",
            new Dictionary<string, JsonElement> { ["product"] = JsonSerializer.SerializeToElement("P2P") }, DateTimeOffset.UtcNow);
        var messageId = Guid.NewGuid();
        // The contact's copy may arrive after the activity on another queue; the filterless trigger does not need it, the template does.
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(contactId, default)),
            c => c is not null, TimeSpan.FromSeconds(20), "Cortex keeps the contact");
        await app.Bus.Bus.Publish(checkout, c => c.MessageId = messageId);

        var email = await app.Bus.WaitFor<SendEmail>(m => m.TenantId == tenant);
        Assert.Equal(("Thanks, Ada!", "<p>P2P</p>", contactId, "marketing"), (email.Subject, email.Html, email.ContactId, email.Category));
        Assert.StartsWith($"workflow:{workflowId}:run:", email.RequestedBy);
        var sentAt = DateTimeOffset.UtcNow;

        var tag = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant);
        Assert.Equal(("bought-P2P", contactId), (tag.Tag, tag.ContactId));
        Assert.True(DateTimeOffset.UtcNow - sentAt >= TimeSpan.FromSeconds(1.5), "the tag waited for the delay");

        var run = await RunOf(client, workflowId, r => Status(r) == "completed", "the run completes");
        // Email's outcome of the step's send lands in the run's log, under the step that sent it.
        await app.Bus.Bus.Publish(new EmailSent(tenant, Guid.NewGuid(), contactId, "ada@example.com", null, email.IdempotencyKey, email.CorrelationId, "smtp",
            "<1@smtp>", email.Subject!, false, DateTimeOffset.UtcNow));
        var runLogs = await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{run.GetProperty("id").GetGuid()}/logs"),
            l => l.EnumerateArray().Any(x => x.GetProperty("message").GetString() == "Email sent to ada@example.com"), TimeSpan.FromSeconds(20),
            "the email's outcome is in the run's log");
        Assert.Equal("a1", runLogs.EnumerateArray().Single(x => x.GetProperty("message").GetString() == "Email sent to ada@example.com")
            .GetProperty("node_id").GetString());
        var logs = runLogs.EnumerateArray().Select(l => l.GetProperty("message").GetString()!).Where(l => !l.StartsWith("Email sent", StringComparison.Ordinal))
            .ToList();
        Assert.Contains(logs, l => l.StartsWith("Spawned execution", StringComparison.Ordinal));
        Assert.Contains("Executing Action: Send Email", logs);
        Assert.Contains(logs, l => l.StartsWith("Pausing until", StringComparison.Ordinal));
        Assert.Contains("Resumed after the delay", logs);
        Assert.Contains("Executing Action: Add Tag", logs);
        Assert.Equal("Run completed", logs[^1]);

        // The same event delivered again starts no second run and sends nothing more.
        await app.Bus.Bus.Publish(checkout, c => c.MessageId = messageId);
        await app.Bus.Bus.Publish(checkout with { ActivityId = Guid.NewGuid() }); // a second checkout: once_per_contact says no
        var marker = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, Contact(marker, "Marker"), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(marker, default)),
            c => c is not null, TimeSpan.FromSeconds(20), "the events before the marker were consumed");
        var runs = (await client.GetJson($"/api/cortex/runs?workflow_id={workflowId}")).GetProperty("items").GetArrayLength();
        Assert.Equal(1, runs);
        Assert.Single(app.Bus.Received<SendEmail>(), m => m.TenantId == tenant);

        // Re-entry changed on the live workflow (no new version): the next checkout starts a second run.
        await (await client.Patch($"/api/cortex/workflows/{workflowId}", new { reentry = "always" })).Expect(HttpStatusCode.OK);
        await app.Bus.Bus.Publish(checkout with { ActivityId = Guid.NewGuid() });
        await Eventually.Until(async () => (await client.GetJson($"/api/cortex/runs?workflow_id={workflowId}")).GetProperty("items").GetArrayLength(),
            n => n == 2, TimeSpan.FromSeconds(20), "always lets the contact in again");
    }

    [Fact]
    public async Task A_condition_branches_on_the_event_and_the_contact_and_parallel_branches_join()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "custom.event" }),
                Node("c1", "condition", new
                {
                    logic = "AND",
                    conditions = new object[]
                    {
                        new { field = "event.amount", @operator = "greater_or_equal", value = 100 },
                        new { field = "email", @operator = "ends_with", value = "@example.com" },
                    },
                }),
                Node("p1", "parallel", new { }),
                Node("x1", "action", new { action_type = "add_tag", config = new { tag = "big" } }),
                Node("x2", "action", new { action_type = "show_popup", config = new { popup = "thanks-{{contact.first_name}}" } }),
                Node("j1", "join", new { mode = "all" }),
                Node("x3", "action", new { action_type = "add_tag", config = new { tag = "joined" } }),
                Node("x4", "action", new { action_type = "add_tag", config = new { tag = "small" } }),
            },
            edges = new[]
            {
                Edge("t1", "c1"), Edge("c1", "p1", "true"), Edge("c1", "x4", "false"), Edge("p1", "x1"), Edge("p1", "x2"), Edge("x1", "j1"),
                Edge("x2", "j1"), Edge("j1", "x3"),
            },
        };
        var workflowId = await client.PublishWorkflow(graph, new { reentry = "always" });
        var contactId = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, Contact(contactId, "Grace"), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(contactId, default)),
            c => c is not null, TimeSpan.FromSeconds(20), "Cortex keeps the contact");
        ActivityRecorded Bought(int amount) => new(tenant, Guid.NewGuid(), contactId, null, "bought.something",
            new Dictionary<string, JsonElement> { ["amount"] = JsonSerializer.SerializeToElement(amount) }, DateTimeOffset.UtcNow);

        await app.Bus.Bus.Publish(Bought(250));
        var popup = await app.Bus.WaitFor<WorkflowActionRequested>(m => m.TenantId == tenant);
        Assert.Equal(("show_popup", "thanks-Grace"), (popup.Action, popup.Config.GetProperty("popup").GetString()));
        await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.Tag == "joined");
        Assert.Contains(app.Bus.Received<AddTag>(), m => m.TenantId == tenant && m.Tag == "big");

        await app.Bus.Bus.Publish(Bought(20));
        await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant && m.Tag == "small");
        await Eventually.Until(async () => (await client.GetJson($"/api/cortex/runs?workflow_id={workflowId}")).GetProperty("items").EnumerateArray()
            .Select(Status).ToList(), s => s.Count == 2 && s.All(x => x == "completed"), TimeSpan.FromSeconds(20), "both runs complete");
        Assert.Single(app.Bus.Received<AddTag>(), m => m.TenantId == tenant && m.Tag == "joined");
    }

    [Fact]
    public async Task StartWorkflow_from_Leads_starts_a_run_with_its_variables_and_a_refused_command_is_in_the_log()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "workflow.started" }),
                Node("a1", "action", new { action_type = "add_tag", config = new { tag = "{{variables.campaign}}" } }),
            },
            edges = new[] { Edge("t1", "a1") },
        };
        var workflowId = await client.PublishWorkflow(graph);
        var contactId = Guid.NewGuid();
        await app.Bus.Bus.Publish(new StartWorkflow(tenant, workflowId, contactId, "automation:qualified",
            new Dictionary<string, JsonElement> { ["campaign"] = JsonSerializer.SerializeToElement("spring") }, DateTimeOffset.UtcNow));
        var tag = await app.Bus.WaitFor<AddTag>(m => m.TenantId == tenant);
        Assert.Equal(("spring", contactId), (tag.Tag, tag.ContactId));
        var run = await RunOf(client, workflowId, r => Status(r) == "completed", "the run completes");
        Assert.Equal("workflow.started", run.GetProperty("trigger_type").GetString());

        await app.Bus.Bus.Publish(new LeadsCommandFailed(tenant, tag.CommandId, "AddTag", contactId, null, tag.RequestedBy, "contact_not_found",
            $"No contact {contactId}.", 404, DateTimeOffset.UtcNow));
        await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{run.GetProperty("id").GetGuid()}/logs"),
            l => l.EnumerateArray().Any(x => x.GetProperty("message").GetString() == $"Leads refused AddTag: No contact {contactId}."
                                             && x.GetProperty("node_id").GetString() == "a1"),
            TimeSpan.FromSeconds(20), "the refusal is in the run's log");
    }

    [Fact]
    public async Task A_failing_webhook_walks_the_retry_schedule_into_the_dead_letters_and_is_replayed()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "custom.event" }),
                // Nothing listens on port 9 (discard): every attempt fails to connect.
                Node("w1", "action", new { action_type = "send_webhook", config = new { url = "http://127.0.0.1:9/hook", body = new { id = "{{contact.id}}" } } }),
                Node("a1", "action", new { action_type = "add_tag", config = new { tag = "after-webhook" } }),
            },
            edges = new[] { Edge("t1", "w1"), Edge("w1", "a1") },
        };
        var workflowId = await client.PublishWorkflow(graph);
        // A contact Cortex has never heard of (another tenant's, or none at all) is refused, not run.
        await (await client.Post($"/api/cortex/workflows/{workflowId}/runs", new { contact_id = Guid.NewGuid() })).Expect(HttpStatusCode.NotFound);
        var started = await (await client.Post($"/api/cortex/workflows/{workflowId}/runs", new { variables = new { source = "test" } })).Expect(HttpStatusCode.Accepted);
        var runId = started.GetProperty("id").GetGuid();
        var failed = await RunOf(client, workflowId, r => Status(r) == "failed", "the run fails after its retries");
        Assert.Equal(runId, failed.GetProperty("id").GetGuid());
        var logs = (await client.GetJson($"/api/cortex/runs/{runId}/logs")).EnumerateArray().ToList();
        // Attempt 1, then the schedule's two retries, then the dead letter.
        var attempts = logs.Where(l => l.GetProperty("node_id").GetString() == "w1").ToList();
        Assert.Equal(["failed", "failed", "dead_lettered"], attempts.Select(l => l.GetProperty("status").GetString()));
        // Each attempt is one call, failed at once (no hidden retries inside an attempt).
        Assert.All(attempts, a => Assert.True(a.GetProperty("duration_ms").GetDouble() < 2000, a.GetRawText()));
        var dead = (await client.GetJson($"/api/cortex/dead-letters?workflow_id={workflowId}")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("w1", 3), (dead.GetProperty("node_id").GetString(), dead.GetProperty("attempts").GetInt32()));

        await (await client.PostAsync($"/api/cortex/dead-letters/{dead.GetProperty("id").GetGuid()}/replay", null)).Expect(HttpStatusCode.Accepted);
        await (await client.PostAsync($"/api/cortex/dead-letters/{dead.GetProperty("id").GetGuid()}/replay", null)).Expect(HttpStatusCode.Conflict);
        await Eventually.Until(async () => (await client.GetJson($"/api/cortex/runs/{runId}/logs")).EnumerateArray()
            .Count(l => l.GetProperty("status").GetString() == "dead_lettered"), n => n == 2, TimeSpan.FromSeconds(20), "the replayed attempt fails again");
        Assert.DoesNotContain(app.Bus.Received<AddTag>(), m => m.TenantId == tenant);
    }

    [Fact]
    public async Task Sequence_actions_enrol_the_contact_and_stop_the_enrolment_with_the_reason()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = Guid.NewGuid();
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "workflow.started" }),
                Node("a1", "action", new { action_type = "add_to_sequence", config = new { sequence_id = sequence } }),
                Node("a2", "action", new { action_type = "remove_from_sequence", config = new { sequence_id = sequence, reason = "became a customer" } }),
            },
            edges = new[] { Edge("t1", "a1"), Edge("a1", "a2") },
        };
        var workflowId = await client.PublishWorkflow(graph);
        var contactId = Guid.NewGuid();
        await app.Bus.Bus.Publish(new ContactCreated(tenant, Contact(contactId, "Seq"), DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().GetAsync(contactId, default)),
            c => c is not null, TimeSpan.FromSeconds(20), "Cortex keeps the contact");
        var run = (await (await client.Post($"/api/cortex/workflows/{workflowId}/runs", new { contact_id = contactId })).Expect(HttpStatusCode.Accepted))
            .GetProperty("id").GetGuid();

        var enrolled = await app.Bus.WaitFor<EnrollInSequence>(m => m.TenantId == tenant);
        Assert.Equal((sequence, contactId, $"workflow:{workflowId}:run:{run}"), (enrolled.SequenceId, enrolled.ContactId, enrolled.TriggeredBy));
        var stopped = await app.Bus.WaitFor<StopSequence>(m => m.TenantId == tenant);
        Assert.Equal((sequence, contactId, "became a customer", enrolled.TriggeredBy), (stopped.SequenceId, stopped.ContactId, stopped.Reason, stopped.RequestedBy));
    }
}
