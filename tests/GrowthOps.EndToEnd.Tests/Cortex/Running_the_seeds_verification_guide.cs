using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace GrowthOps.EndToEnd.Tests.Cortex;

/// <summary>
/// The automation seed's verification guide across the services, as a user would follow it: an activity recorded in Leads
/// (<c>checkout.completed</c>) spawns a Cortex run, whose email Email sends to a real SMTP server; the run pauses, wakes, and
/// its next step's tag lands on the contact in Leads. Each service only hears of the others on the bus.
/// </summary>
public sealed class Running_the_seeds_verification_guide(LeadsEmailAndCortex services) : IClassFixture<LeadsEmailAndCortex>
{
    static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.RequestMessage?.RequestUri}: {response.StatusCode}: {text}");
        return text.Length == 0 ? default : JsonSerializer.Deserialize<JsonElement>(text);
    }

    static object Node(string id, string type, object data) => new { id, type, position = new { x = 0, y = 0 }, data };

    [Fact]
    public async Task A_checkout_spawns_a_run_that_emails_the_buyer_over_smtp_pauses_wakes_and_tags_them_in_Leads()
    {
        var tenant = Guid.NewGuid();
        var leads = services.Leads.ClientFor(tenant);
        var cortex = services.Cortex.ClientFor(tenant);
        var address = MailCatcher.Address("ada");
        var contact = (await Json(await leads.PostAsJsonAsync("/api/leads/contacts",
            new { email = address, first_name = "Ada", company = "Analytical Engines", marketing_consent = true }), HttpStatusCode.Created)).GetProperty("id").GetGuid();

        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "checkout.completed" }),
                Node("a1", "action", new { action_type = "send_email", config = new { subject = "Thanks for your order, {{contact.first_name}}!",
                    body = "<p>Your {{event.product}} is on its way.</p>" } }),
                Node("d1", "delay", new { duration = new { amount = 2, unit = "seconds" } }),
                Node("a2", "action", new { action_type = "add_tag", config = new { tag = "customer" } }),
            },
            edges = new[]
            {
                new { id = "e1", source = "t1", target = "a1" }, new { id = "e2", source = "a1", target = "d1" }, new { id = "e3", source = "d1", target = "a2" },
            },
        };
        var workflow = (await Json(await cortex.PostAsJsonAsync("/api/cortex/workflows", new { name = "Post-purchase", graph }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        await Json(await cortex.PostAsync($"/api/cortex/workflows/{workflow}/publish", null), HttpStatusCode.Created);
        // Cortex keeps its own copy of the contact (from Leads' ContactCreated): the email's template needs it.
        await Eventually.Until(async () => (await cortex.PostAsJsonAsync($"/api/cortex/workflows/{workflow}/runs", new { contact_id = contact, dry_run = true }))
            .StatusCode, s => s == HttpStatusCode.Accepted, Deadline, "Cortex knows the contact");

        await Json(await leads.PostAsJsonAsync("/api/leads/activities",
            new { type = "checkout.completed", contact_email = address, metadata = new { product = "Difference Engine" } }), HttpStatusCode.Created);

        var mail = (await services.Mail.WaitForAsync(address, timeout: Deadline)).Single();
        Assert.Equal("Thanks for your order, Ada!", mail.Subject);
        Assert.Contains("Your Difference Engine is on its way.", (await services.Mail.GetAsync(mail)).Html);

        var tagged = await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/contacts/{contact}"), HttpStatusCode.OK)).GetProperty("tags"),
            t => t.EnumerateArray().Any(x => x.GetString() == "customer"), Deadline, "the run's last step tags the contact in Leads");
        Assert.Contains("customer", tagged.EnumerateArray().Select(t => t.GetString()));

        var run = (await Json(await cortex.GetAsync($"/api/cortex/runs?workflow_id={workflow}"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Single(r => !r.GetProperty("dry_run").GetBoolean());
        var log = await Eventually.Until(async () => (await Json(await cortex.GetAsync($"/api/cortex/runs/{run.GetProperty("id").GetGuid()}/logs"), HttpStatusCode.OK))
                .EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToList(),
            l => l.Contains($"Email sent to {address}") && l.Contains("Run completed"), Deadline, "the run's log has the email's outcome and its end");
        Assert.Contains(log, l => l.StartsWith("Spawned execution", StringComparison.Ordinal));
        Assert.Contains("Executing Action: Send Email", log);
        Assert.Contains(log, l => l.StartsWith("Pausing until", StringComparison.Ordinal));
        Assert.Contains("Resumed after the delay", log);
        Assert.Contains("Executing Action: Add Tag", log);
        // Leads recorded the checkout that started it all on the contact.
        var activities = (await Json(await leads.GetAsync($"/api/leads/contacts/{contact}/activities?limit=100"), HttpStatusCode.OK)).GetProperty("items")
            .EnumerateArray().Select(a => a.GetProperty("type").GetString()!).ToList();
        Assert.Contains("checkout.completed", activities);
    }

    [Fact]
    public async Task Predictions_generated_tasks_tracked_events_and_task_updates_cross_to_Leads_and_back()
    {
        var tenant = Guid.NewGuid();
        var leads = services.Leads.ClientFor(tenant);
        var cortex = services.Cortex.ClientFor(tenant);
        var contact = (await Json(await leads.PostAsJsonAsync("/api/leads/contacts",
            new { email = MailCatcher.Address("grace"), first_name = "Grace", last_name = "Hopper", marketing_consent = true }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        var task = (await Json(await leads.PostAsJsonAsync("/api/leads/tasks", new { title = "Book the demo", contact_id = contact }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "custom.event" }),
                Node("p1", "action", new { action_type = "predict_action", config = new { min_probability = 0.0 } }),
                Node("c1", "condition", new { conditions = new[] { new { field = "steps.p1.status", @operator = "equals", value = "ok" } } }),
                Node("g1", "action", new { action_type = "generate_task", config = new { due_in_hours = 4 } }),
                Node("k1", "action", new { action_type = "track_event", config = new { type = "next_state.predicted",
                    metadata = new { state = "{{steps.p1.predicted_state}}", source = "cortex" } } }),
                Node("u1", "action", new { action_type = "update_task", config = new { task_id = "{{event.task_id}}",
                    changes = new { priority = "urgent", status = "completed" } } }),
                Node("s1", "stop", new { }),
            },
            edges = new[]
            {
                new { id = "e1", source = "t1", target = "p1", sourceHandle = (string?)null }, new { id = "e2", source = "p1", target = "c1", sourceHandle = (string?)null },
                new { id = "e3", source = "c1", target = "g1", sourceHandle = (string?)"true" }, new { id = "e4", source = "c1", target = "s1", sourceHandle = (string?)"false" },
                new { id = "e5", source = "g1", target = "k1", sourceHandle = (string?)null }, new { id = "e6", source = "k1", target = "u1", sourceHandle = (string?)null },
            },
        };
        var workflow = (await Json(await cortex.PostAsJsonAsync("/api/cortex/workflows", new { name = "Demo follow-up", graph }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();
        await Json(await cortex.PostAsync($"/api/cortex/workflows/{workflow}/publish", null), HttpStatusCode.Created);
        await Eventually.Until(async () => (await cortex.PostAsJsonAsync($"/api/cortex/workflows/{workflow}/runs", new { contact_id = contact, dry_run = true }))
            .StatusCode, s => s == HttpStatusCode.Accepted, Deadline, "Cortex knows the contact");

        await Json(await leads.PostAsJsonAsync("/api/leads/activities",
            new { type = "demo.requested", contact_id = contact, metadata = new { task_id = task } }), HttpStatusCode.Created);

        // Leads' own next-state model answered; the run read its answer and went down the "ok" branch.
        var prediction = await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/contacts/{contact}/predictions"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().FirstOrDefault(), p => p.ValueKind == JsonValueKind.Object, Deadline, "Leads made a prediction");
        var state = prediction.GetProperty("predicted_state").GetString()!;
        var completed = await Eventually.Until(async () => await Json(await leads.GetAsync($"/api/leads/tasks/{task}"), HttpStatusCode.OK),
            t => t.GetProperty("status").GetString() == "completed", Deadline, "the run's update_task completes the task in Leads");
        Assert.Equal("urgent", completed.GetProperty("priority").GetString());

        // The run's commands travel independently: the generated task's CreateTask may land after the update_task.
        var tasks = await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/tasks?contact_id={contact}"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().ToList(), t => t.Any(x => x.GetProperty("id").GetGuid() != task), Deadline, "the generated task is in Leads");
        var generated = Assert.Single(tasks, t => t.GetProperty("id").GetGuid() != task);
        Assert.Equal("Follow up with Grace Hopper after demo.requested", generated.GetProperty("title").GetString());
        Assert.Contains($"Lead state: ", generated.GetProperty("description").GetString());
        var tracked = await Eventually.Until(async () => (await Json(await leads.GetAsync($"/api/leads/contacts/{contact}/activities?limit=100"), HttpStatusCode.OK))
            .GetProperty("items").EnumerateArray().FirstOrDefault(a => a.GetProperty("type").GetString() == "next_state.predicted"),
            a => a.ValueKind == JsonValueKind.Object, Deadline, "the tracked event is on the contact's feed");
        Assert.Equal(state, tracked.GetProperty("metadata").GetProperty("state").GetString());

        var run = (await Json(await cortex.GetAsync($"/api/cortex/runs?workflow_id={workflow}"), HttpStatusCode.OK)).GetProperty("items").EnumerateArray()
            .Single(r => !r.GetProperty("dry_run").GetBoolean());
        var log = await Eventually.Until(async () => (await Json(await cortex.GetAsync($"/api/cortex/runs/{run.GetProperty("id").GetGuid()}/logs"), HttpStatusCode.OK))
            .EnumerateArray().Select(l => l.GetProperty("message").GetString()!).ToList(), l => l.Contains("Run completed"), Deadline, "the run completes");
        Assert.Contains(log, l => l.StartsWith($"Predicted next state: {state} (", StringComparison.Ordinal));
        Assert.Contains("Executing Action: Generate Task", log);
        Assert.Contains("Executing Action: Track Event", log);
        Assert.Contains("Executing Action: Update Task", log);
    }
}
