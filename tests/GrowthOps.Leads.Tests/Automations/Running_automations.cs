using System.Text.Json;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Leads.Tests.Automations;

public sealed class Running_automations(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task An_on_enter_automation_tags_the_contact_and_records_one_succeeded_execution()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Warm up", trigger = "on_enter", state = "contacted", actions = new object[] { new { type = "add_tag", tag = "Warm" } },
        });
        var contactId = await client.CreateContact(new { email = "enter@example.com" });

        var historyId = await client.Transition(contactId, "contacted");

        var tagged = await app.Events.WaitFor<TagAdded>(e => e.ContactId == contactId && e.Tag == "warm");
        Assert.Contains("warm", tagged.Contact.Tags);
        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("succeeded", execution.GetProperty("status").GetString());
        Assert.Equal(historyId, execution.GetProperty("history_id").GetGuid());
        Assert.Equal(contactId, execution.GetProperty("contact_id").GetGuid());
        var result = Assert.Single(execution.GetProperty("results").EnumerateArray());
        Assert.Equal("add_tag", result.GetProperty("type").GetString());
        Assert.Equal("succeeded", result.GetProperty("status").GetString());

        var forContact = (await (await client.GetAsync($"/api/leads/contacts/{contactId}/automation-executions")).Json()).GetProperty("items");
        Assert.Equal(automationId, Assert.Single(forContact.EnumerateArray()).GetProperty("automation_id").GetGuid());
        var automation = await (await client.GetAsync($"/api/leads/automations/{automationId}")).Json();
        Assert.Equal(1, automation.GetProperty("execution_count").GetInt64());
        Assert.NotEqual(JsonValueKind.Null, automation.GetProperty("last_executed_at").ValueKind);
    }

    [Fact]
    public async Task A_state_change_that_triggers_no_automation_is_consumed_without_a_trace()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Qualified", trigger = "on_enter", state = "qualified", actions = new object[] { new { type = "add_tag", tag = "qualified" } },
        });
        var contactId = await client.CreateContact(new { email = "quiet@example.com" });

        // new → contacted triggers nothing: acknowledged without a transaction (and not moved to the _skipped queue).
        await client.Transition(contactId, "contacted");
        await client.Transition(contactId, "qualified");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("succeeded", execution.GetProperty("status").GetString());
        Assert.Single((await (await client.GetAsync($"/api/leads/contacts/{contactId}/automation-executions")).Json()).GetProperty("items").EnumerateArray());
        // The queues exist only once a message was moved there (their counts lag behind in the management API; existence does not).
        Assert.Null(await app.VirtualHost.ReadyMessagesAsync("leads-lead-state-changed_skipped"));
        Assert.Null(await app.VirtualHost.ReadyMessagesAsync("leads-lead-state-changed_error"));
    }

    [Fact]
    public async Task An_automation_whose_conditions_do_not_hold_records_no_execution()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var unmatched = await client.CreateAutomationId(new
        {
            name = "Initech only", trigger = "on_enter", state = "contacted",
            conditions = new object[] { new { field = "company", @operator = "equals", value = "Initech" } },
            actions = new object[] { new { type = "add_tag", tag = "initech" } },
        });
        // Runs in the same transaction as the one above: once its execution is visible, the other's decision is committed too.
        var matched = await client.CreateAutomationId(new
        {
            name = "Qualified-looking", trigger = "on_enter", state = "contacted",
            conditions = new object[]
            {
                new { field = "company", @operator = "starts_with", value = "glob" },
                new { field = "score", @operator = "greater_than", value = 10 },
                new { field = "tags", @operator = "contains", value = "vip" },
                new { field = "attributes.plan", @operator = "in", value = new[] { "pro", "enterprise" } },
                new { field = "phone", @operator = "not_exists", value = (string?)null },
                new { field = "lead_state", @operator = "equals", value = "Contacted" },
            },
            actions = new object[] { new { type = "add_tag", tag = "looks-qualified" } },
        });
        var contactId = await client.CreateContact(new
        {
            email = "cond@example.com", company = "Globex", score = 42, tags = new[] { "vip" }, attributes = new { plan = "pro" },
        });

        await client.Transition(contactId, "contacted");

        Assert.Equal("succeeded", Assert.Single(await client.WaitForExecutions(matched)).GetProperty("status").GetString());
        Assert.Empty(await client.Executions(unmatched));
        var tags = (await client.Contact(contactId)).GetProperty("tags").EnumerateArray().Select(t => t.GetString()).ToList();
        Assert.Contains("looks-qualified", tags);
        Assert.DoesNotContain("initech", tags);
    }

    [Fact]
    public async Task An_on_transition_automation_starts_a_workflow_and_enrolls_the_contact_in_a_sequence()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var workflowId = Guid.NewGuid();
        var sequenceId = Guid.NewGuid();
        var automationId = await client.CreateAutomationId(new
        {
            name = "Nurture qualified", trigger = "on_transition", from_state = "contacted", to_state = "qualified",
            actions = new object[]
            {
                new { type = "start_workflow", workflow_id = workflowId, variables = new { campaign = "spring" } },
                new { type = "enroll_sequence", sequence_id = sequenceId },
            },
        });
        var contactId = await client.CreateContact(new { email = "transition@example.com" });

        await client.Transition(contactId, "contacted");
        await client.Transition(contactId, "qualified");

        var started = await app.Events.WaitFor<StartWorkflow>(e => e.ContactId == contactId);
        Assert.Equal(workflowId, started.WorkflowId);
        Assert.Equal(tenant, started.TenantId);
        Assert.Equal($"lead-automation:{automationId}", started.TriggeredBy);
        Assert.Equal("spring", started.Variables!["campaign"].GetString());
        var enrolled = await app.Events.WaitFor<EnrollInSequence>(e => e.ContactId == contactId);
        Assert.Equal(sequenceId, enrolled.SequenceId);
        Assert.Equal($"lead-automation:{automationId}", enrolled.TriggeredBy);
        Assert.Equal("succeeded", Assert.Single(await client.WaitForExecutions(automationId)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task A_change_state_action_moves_the_contact_and_its_state_change_says_it_came_from_the_automation()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Auto-qualify", trigger = "on_enter", state = "contacted",
            actions = new object[] { new { type = "change_state", to_state = "qualified", notes = "qualified by automation" } },
        });
        var contactId = await client.CreateContact(new { email = "move@example.com" });

        await client.Transition(contactId, "contacted");

        var changed = await app.Events.WaitFor<LeadStateChanged>(e => e.ContactId == contactId && e.ToState == "qualified");
        Assert.Equal("automation", changed.Source);
        Assert.Equal($"automation:{automationId}:1", changed.TriggeredBy);
        Assert.Equal("contacted", changed.FromState);
        Assert.Equal("qualified by automation", changed.Notes);
        var result = Assert.Single(Assert.Single(await client.WaitForExecutions(automationId)).GetProperty("results").EnumerateArray());
        Assert.Equal(changed.HistoryId, result.GetProperty("history_id").GetGuid());
        Assert.Equal("qualified", (await client.Contact(contactId)).GetProperty("lead_state").GetString());
    }

    [Fact]
    public async Task A_refused_action_is_recorded_as_failed_and_the_following_actions_still_run()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var automationId = await client.CreateAutomationId(new
        {
            name = "Jump to won", trigger = "on_enter", state = "contacted",
            actions = new object[] { new { type = "change_state", to_state = "won" }, new { type = "add_tag", tag = "after-refusal" } },
        });
        var contactId = await client.CreateContact(new { email = "refused@example.com" });

        await client.Transition(contactId, "contacted");

        var execution = Assert.Single(await client.WaitForExecutions(automationId));
        Assert.Equal("failed", execution.GetProperty("status").GetString());
        Assert.Contains("not an allowed transition", execution.GetProperty("error").GetString());
        var results = execution.GetProperty("results").EnumerateArray().ToArray();
        Assert.Equal("failed", results[0].GetProperty("status").GetString());
        Assert.Equal(409, results[0].GetProperty("status_code").GetInt32());
        Assert.Equal("succeeded", results[1].GetProperty("status").GetString());
        await app.Events.WaitFor<TagAdded>(e => e.ContactId == contactId && e.Tag == "after-refusal");
        Assert.Equal("contacted", (await client.Contact(contactId)).GetProperty("lead_state").GetString());
    }

    [Fact]
    public async Task A_state_change_delivered_twice_or_copied_under_a_new_message_id_runs_an_automation_once()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var workflowId = Guid.NewGuid();
        var automationId = await client.CreateAutomationId(new
        {
            name = "Once", trigger = "on_enter", state = "qualified",
            actions = new object[] { new { type = "start_workflow", workflow_id = workflowId } },
        });
        var contactId = await client.CreateContact(new { email = "twice@example.com" });
        var now = DateTimeOffset.UtcNow;
        var change = new LeadStateChanged(tenant, contactId, Guid.NewGuid(), await client.StateId("new"), "new", await client.StateId("qualified"),
            "qualified", false, null, null, null, "user", 1,
            new ContactSnapshot(contactId, "twice@example.com", "lead", null, null, null, null, null, null, null, 0, null, false, [], "qualified", null,
                null, now, now), now);
        var messageId = NewId.NextGuid();
        var copyId = NewId.NextGuid();
        var consumed = new ConsumedByAutomations();
        using var observer = app.Services.GetRequiredService<IBus>().ConnectConsumeObserver(consumed);

        // The same message twice (a redelivery): the inbox runs it once. A copy under a new id: the (automation, state change) key.
        await app.Events.Bus.Publish(change, c => c.MessageId = messageId);
        await app.Events.Bus.Publish(change, c => c.MessageId = messageId);
        await Eventually.Until(() => Task.FromResult(consumed.Count(messageId)), n => n >= 2, because: "both deliveries are consumed");
        await app.Events.Bus.Publish(change, c => c.MessageId = copyId);
        await Eventually.Until(() => Task.FromResult(consumed.Count(copyId)), n => n >= 1, because: "the copy is consumed");

        var execution = Assert.Single(await client.Executions(automationId));
        Assert.Equal(change.HistoryId, execution.GetProperty("history_id").GetGuid());
        await app.Events.WaitFor<StartWorkflow>(e => e.ContactId == contactId);
        Assert.Equal(1, await app.Database.ScalarAsync<long>("select execution_count from leads.lead_state_automations where id = $1", automationId));
    }

    [Fact]
    public async Task Automations_that_move_a_lead_back_and_forth_stop_at_the_chain_depth_limit()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var back = await client.Post("/api/leads/transitions", new { from_state = "proposal", to_state = "qualified" });
        Assert.Equal(System.Net.HttpStatusCode.Created, back.StatusCode);
        var toProposal = await client.CreateAutomationId(new
        {
            name = "A", trigger = "on_enter", state = "qualified", actions = new object[] { new { type = "change_state", to_state = "proposal" } },
        });
        var toQualified = await client.CreateAutomationId(new
        {
            name = "B", trigger = "on_enter", state = "proposal", actions = new object[] { new { type = "change_state", to_state = "qualified" } },
        });
        var contactId = await client.CreateContact(new { email = "loop@example.com" });

        await client.Transition(contactId, "contacted");
        await client.Transition(contactId, "qualified");

        // Depth 0 (the user) → A:1 → B:2 → A:3 → B:4; the change at depth 4 is past the limit of 3 and runs nothing.
        var a = await Eventually.Until(() => client.Executions(toProposal), e => e.Any(x => x.GetProperty("status").GetString() == "skipped"),
            because: "A's third run is skipped at the depth limit");
        Assert.Equal(["skipped", "succeeded", "succeeded"], a.Select(x => x.GetProperty("status").GetString()));
        Assert.Contains("limit of 3", a[0].GetProperty("error").GetString());
        var b = await client.Executions(toQualified);
        Assert.Equal(["succeeded", "succeeded"], b.Select(x => x.GetProperty("status").GetString()));

        var history = (await (await client.GetAsync($"/api/leads/contacts/{contactId}/history")).Json()).EnumerateArray().ToArray();
        Assert.Equal(6, history.Length);
        Assert.Equal($"automation:{toQualified}:4", history[^1].GetProperty("triggered_by").GetString());
        Assert.Equal("qualified", (await client.Contact(contactId)).GetProperty("lead_state").GetString());
        Assert.Equal(2, (await (await client.GetAsync($"/api/leads/automations/{toProposal}")).Json()).GetProperty("execution_count").GetInt64());
    }

    /// <summary>Counts messages the Leads service's automation consumer has finished with (run or skipped as a duplicate), by message id.</summary>
    sealed class ConsumedByAutomations : IConsumeObserver
    {
        readonly System.Collections.Concurrent.ConcurrentDictionary<Guid, int> _counts = new();

        public int Count(Guid messageId) => _counts.GetValueOrDefault(messageId);

        public Task PreConsume<T>(ConsumeContext<T> context) where T : class => Task.CompletedTask;

        public Task PostConsume<T>(ConsumeContext<T> context) where T : class
        {
            if (context.MessageId is { } id &&
                context.ReceiveContext.InputAddress.AbsolutePath.EndsWith("/leads-lead-state-changed", StringComparison.Ordinal))
                _counts.AddOrUpdate(id, 1, (_, n) => n + 1);
            return Task.CompletedTask;
        }

        public Task ConsumeFault<T>(ConsumeContext<T> context, Exception exception) where T : class => Task.CompletedTask;
    }
}
