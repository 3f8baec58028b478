using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Runs;

/// <summary>
/// The AI-named actions that need an answer or a time: <c>predict_action</c> asks Leads for the contact's next state and the steps
/// after it branch on the answer (or on its absence, after the timeout); <c>optimize_timing</c> waits for the hour the contact opens
/// email, then goes on. Leads is played here by the test on the real bus; the end-to-end tests run the real Leads.
/// </summary>
public sealed class Predicting_and_timing(CortexApp app) : IClassFixture<CortexApp>
{
    static object PredictThenBranch(double timeoutSeconds) => new
    {
        nodes = new[]
        {
            Node("t1", "trigger", new { trigger_type = "workflow.started" }),
            Node("p1", "action", new { action_type = "predict_action", config = new { min_probability = 0.6, timeout_seconds = timeoutSeconds } }),
            Node("c1", "condition", new { conditions = new[] { new { field = "steps.p1.predicted_state", @operator = "equals", value = "qualified" } } }),
            Node("c2", "condition", new { conditions = new[] { new { field = "steps.p1.status", @operator = "equals", value = "ok" } } }),
            Node("yes", "action", new { action_type = "add_tag", config = new { tag = "likely-{{steps.p1.predicted_state}}" } }),
            Node("other", "action", new { action_type = "add_tag", config = new { tag = "predicted-other" } }),
            Node("none", "action", new { action_type = "add_tag", config = new { tag = "no-prediction-{{steps.p1.status}}" } }),
        },
        edges = new[] { Edge("t1", "p1"), Edge("p1", "c2"), Edge("c2", "c1", "true"), Edge("c2", "none", "false"), Edge("c1", "yes", "true"), Edge("c1", "other", "false") },
    };

    [Fact]
    public async Task A_prediction_waits_for_Leads_answer_and_the_next_steps_branch_on_it()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var workflow = await client.PublishWorkflow(PredictThenBranch(60), new { reentry = "always" });
        var contact = await app.KnownContact(tenant);
        var run = await client.StartRun(workflow, contact);

        var asked = await app.Bus.WaitFor<PredictNextState>(c => c.TenantId == tenant);
        Assert.Equal((contact, $"workflow:{workflow}:run:{run}"), (asked.ContactId, asked.RequestedBy));
        // While Leads thinks, the run waits at the prediction.
        var waiting = await Eventually.Until(() => client.GetJson($"/api/cortex/runs/{run}"), r => r.GetProperty("status").GetString() == "waiting",
            TimeSpan.FromSeconds(20), "the run waits for the answer");
        Assert.Equal(JsonValueKind.Null, waiting.GetProperty("finished_at").ValueKind);

        var answer = new NextStatePredicted(tenant, asked.CommandId, contact, asked.RequestedBy, Guid.NewGuid(), "new", Guid.NewGuid(), "qualified", 0.72, 0.4,
            [new(Guid.NewGuid(), "qualified", 0.72, 14), new(Guid.NewGuid(), "lost", 0.28, 5)], "next-state-v1", false, DateTimeOffset.UtcNow);
        await app.Bus.Bus.Publish(answer);
        // Leads' answer delivered twice is one answer.
        await app.Bus.Bus.Publish(answer);
        var tag = await app.Bus.WaitFor<AddTag>(c => c.TenantId == tenant);
        Assert.Equal("likely-qualified", tag.Tag);
        var finished = await client.FinishedRun(run);
        Assert.Equal("completed", finished.GetProperty("status").GetString());
        var log = await client.RunLog(run);
        var predicted = Assert.Single(log, l => l.GetProperty("message").GetString() == "Predicted next state: qualified (72%)");
        var output = predicted.GetProperty("output");
        Assert.Equal((0.72, true, 0.28), (output.GetProperty("probability").GetDouble(), output.GetProperty("confident").GetBoolean(),
            output.GetProperty("probabilities").GetProperty("lost").GetDouble()));
        Assert.Contains(log, l => l.GetProperty("message").GetString()!.StartsWith("Waiting for the answer until", StringComparison.Ordinal));
        Assert.Single(app.Bus.Received<AddTag>(), c => c.TenantId == tenant);
    }

    [Fact]
    public async Task Without_an_answer_in_time_or_with_a_refusal_the_run_goes_on_and_says_why()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var workflow = await client.PublishWorkflow(PredictThenBranch(1), new { reentry = "always" });

        // Nobody answers within the second: the run goes on with status timeout, and a late answer changes nothing.
        var silent = await app.KnownContact(tenant, "Silent");
        var late = await client.StartRun(workflow, silent);
        var asked = await app.Bus.WaitFor<PredictNextState>(c => c.TenantId == tenant && c.ContactId == silent);
        Assert.Equal("no-prediction-timeout", (await app.Bus.WaitFor<AddTag>(c => c.TenantId == tenant && c.ContactId == silent)).Tag);
        Assert.Equal("completed", (await client.FinishedRun(late)).GetProperty("status").GetString());
        await app.Bus.Bus.Publish(new NextStatePredicted(tenant, asked.CommandId, silent, asked.RequestedBy, Guid.NewGuid(), "new", Guid.NewGuid(), "qualified",
            0.9, 0.9, [new(Guid.NewGuid(), "qualified", 0.9, 1)], "next-state-v1", false, DateTimeOffset.UtcNow));

        // Leads refuses (a contact in a state nothing leads out of): the run goes on with status failed and the reason.
        var stuck = await app.KnownContact(tenant, "Stuck");
        var refusedRun = await client.StartRun(workflow, stuck);
        var refused = await app.Bus.WaitFor<PredictNextState>(c => c.TenantId == tenant && c.ContactId == stuck);
        await app.Bus.Bus.Publish(new LeadsCommandFailed(tenant, refused.CommandId, nameof(PredictNextState), stuck, null, refused.RequestedBy, "refused",
            "No transition leads out of 'won', so there is nothing to predict.", 422, DateTimeOffset.UtcNow));
        Assert.Equal("no-prediction-failed", (await app.Bus.WaitFor<AddTag>(c => c.TenantId == tenant && c.ContactId == stuck)).Tag);
        var log = await client.RunLog((await client.FinishedRun(refusedRun)).GetProperty("id").GetGuid());
        Assert.Contains(log, l => l.GetProperty("message").GetString() == "Leads refused PredictNextState: No transition leads out of 'won', so there is nothing to predict.");

        // The late answer found no waiting step: the timed-out run took one branch only.
        var lateLog = await client.RunLog(late);
        Assert.Contains(lateLog, l => l.GetProperty("message").GetString() == "No answer in time; going on without it");
        Assert.DoesNotContain(lateLog, l => l.GetProperty("message").GetString()!.StartsWith("Predicted next state", StringComparison.Ordinal));
        Assert.Single(app.Bus.Received<AddTag>(), c => c.TenantId == tenant && c.ContactId == silent);
    }

    [Fact]
    public async Task Optimize_timing_waits_for_the_hour_the_contact_opens_email_then_goes_on()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await app.KnownContact(tenant, "Hour", timezone: "Asia/Tokyo");
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        // Opened at 15:00 Tokyo time three times, at 08:00 once: 15 is the contact's hour.
        var opens = new[] { 3, 2, 1 }.Select(d => new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-d).AddHours(6).AddMinutes(12), TimeSpan.Zero))
            .Append(new DateTimeOffset(DateTime.UtcNow.Date.AddDays(-4).AddHours(-1), TimeSpan.Zero)).ToList();
        foreach (var at in opens)
            await app.Bus.Bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), contact, null, "email.opened", null, at));
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "workflow.started" }),
                Node("o1", "action", new { action_type = "optimize_timing", config = new { max_wait_hours = 0.001 } }),
                Node("a1", "action", new { action_type = "add_tag", config = new { tag = "sent-at-{{steps.o1.hour}}" } }),
            },
            edges = new[] { Edge("t1", "o1"), Edge("o1", "a1") },
        };
        var workflow = await client.PublishWorkflow(graph, new { reentry = "always" });
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<Data.ContactsStore>().BestOpenHourAsync(contact, "Asia/Tokyo", default)),
            h => h == TimeZoneInfo.ConvertTime(opens[0], zone).Hour, TimeSpan.FromSeconds(20), "Cortex has the contact's opens");

        var run = await client.StartRun(workflow, contact);
        // The wait is capped at max_wait_hours (3.6 s here): then the next step runs, once.
        Assert.Equal("sent-at-15", (await app.Bus.WaitFor<AddTag>(c => c.TenantId == tenant)).Tag);
        Assert.Equal("completed", (await client.FinishedRun(run)).GetProperty("status").GetString());
        var log = await client.RunLog(run);
        Assert.Contains(log, l => l.GetProperty("message").GetString() == "Waiting for the contact's best hour (15:00 Asia/Tokyo)");
        Assert.Contains(log, l => l.GetProperty("message").GetString() == "Resumed");
        Assert.Single(app.Bus.Received<AddTag>(), c => c.TenantId == tenant);
    }
}
