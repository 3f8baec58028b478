using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using MassTransit;

namespace GrowthOps.Leads.Tests.Commands;

/// <summary>
/// The commands Cortex, sequences and Email send Leads, published on the real bus: each applies once through the API's rules
/// and is answered; one that cannot apply is recorded and answered as failed, and the queue moves on.
/// </summary>
public sealed class Applying_commands(LeadsApp app) : IClassFixture<LeadsApp>
{
    const string Run = "workflow:7f0c:run:42";

    static DateTimeOffset Now => DateTimeOffset.UtcNow;

    Task<LeadsCommandApplied> Applied(Guid commandId) => app.Events.WaitFor<LeadsCommandApplied>(e => e.CommandId == commandId);

    Task<LeadsCommandFailed> Failed(Guid commandId) => app.Events.WaitFor<LeadsCommandFailed>(e => e.CommandId == commandId);

    Task Send(object command, Guid? messageId = null) =>
        app.Events.Bus.Publish(command, command.GetType(), c => c.MessageId = messageId ?? NewId.NextGuid());

    static JsonElement Json(object value) => JsonSerializer.SerializeToElement(value, LeadsApp.Json);

    [Fact]
    public async Task A_command_applies_once_however_often_it_is_delivered()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var email = $"cmd@{tenant:N}.test";
        var contact = await client.CreateContact(email);

        var tagged = Guid.NewGuid();
        await Send(new AddTag(tenant, tagged, null, email.ToUpperInvariant(), Run, "Webinar", Now));
        var applied = await Applied(tagged);
        Assert.Equal((contact, contact, nameof(AddTag), Run), (applied.ContactId, applied.ObjectId, applied.Command, applied.RequestedBy));
        await app.Events.WaitFor<TagAdded>(e => e.ContactId == contact && e.Tag == "webinar");

        // The same command again under a new message id (a sender's retry), even with other contents: answered again, applied once.
        await Send(new AddTag(tenant, tagged, contact, null, Run, "other", Now));
        await Eventually.Until(() => Task.FromResult(app.Events.Received<LeadsCommandApplied>().Count(e => e.CommandId == tagged)), n => n == 2,
            TimeSpan.FromSeconds(20), "the repeated command is answered");
        Assert.Equal(["webinar"], (await client.Contact(contact)).GetProperty("tags").EnumerateArray().Select(t => t.GetString()));

        // A lead state change goes through the allowed transitions and the history, as automation, naming who asked.
        var moved = Guid.NewGuid();
        await Send(new ChangeLeadState(tenant, moved, contact, null, Run, "contacted", "Replied to step 2", Now));
        var entry = (await Applied(moved)).ObjectId;
        var changed = await app.Events.WaitFor<LeadStateChanged>(e => e.ContactId == contact && e.ToState == "contacted");
        Assert.Equal(("automation", Run, entry), (changed.Source, changed.TriggeredBy, (Guid?)changed.HistoryId));
        // Already there: applied, nothing changes.
        var again = Guid.NewGuid();
        await Send(new ChangeLeadState(tenant, again, contact, null, Run, "Contacted", null, Now));
        await Applied(again);
        Assert.Single((await client.GetJson($"/api/leads/contacts/{contact}/history")).EnumerateArray(), h => h.GetProperty("to_state").GetString() == "contacted");
    }

    [Fact]
    public async Task Work_on_deals_tasks_notes_fields_consent_and_score_is_done_by_command()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact(new { email = $"work@{tenant:N}.test", marketing_consent = true, score = 10 });

        var createDeal = Guid.NewGuid();
        await Send(new CreateDeal(tenant, createDeal, contact, null, Run, Json(new { name = "Pro plan", amount = 1200.50m, currency = "EUR" }), Now));
        var deal = (await Applied(createDeal)).ObjectId!.Value;
        var created = await client.GetJson($"/api/leads/deals/{deal}");
        Assert.Equal([contact], created.GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Equal(120050, created.GetProperty("amount_minor").GetInt64());

        var update = Guid.NewGuid();
        await Send(new UpdateDeal(tenant, update, null, null, Run, deal, Json(new { amount = 1500 }), Now));
        await Applied(update);
        var move = Guid.NewGuid();
        await Send(new MoveDealStage(tenant, move, null, null, Run, deal, "closedwon", Now));
        await Applied(move);
        var stage = await app.Events.WaitFor<DealStageChanged>(e => e.DealId == deal.ToString() && e.StageTo == "closedwon");
        Assert.Equal(("automation", Run, 1500m), (stage.Source, stage.TriggeredBy, stage.Amount));
        await app.Events.WaitFor<DealWon>(e => e.DealId == deal);

        var createTask = Guid.NewGuid();
        await Send(new CreateTask(tenant, createTask, null, $"WORK@{tenant:N}.test", Run, deal, "Send the contract", null, Now.AddDays(2), "ana", "high", Now));
        var task = (await Applied(createTask)).ObjectId!.Value;
        var stored = await client.GetJson($"/api/leads/tasks/{task}");
        Assert.Equal((contact, deal, "high", Run), (stored.GetProperty("contact_id").GetGuid(), stored.GetProperty("deal_id").GetGuid(),
            stored.GetProperty("priority").GetString(), stored.GetProperty("created_by").GetString()));
        await app.Events.WaitFor<TaskCreated>(e => e.TaskId == task && e.CreatedBy == Run);
        var complete = Guid.NewGuid();
        await Send(new CompleteTask(tenant, complete, null, null, Run, task, Now));
        await Applied(complete);
        await app.Events.WaitFor<TaskCompleted>(e => e.TaskId == task && e.CompletedBy == Run);

        var note = Guid.NewGuid();
        await Send(new AddNote(tenant, note, contact, null, Run, null, "Asked for a discount", Now));
        await Applied(note);
        Assert.Equal("Asked for a discount", (await client.GetJson($"/api/leads/notes?contact_id={contact}")).EnumerateArray().Single().GetProperty("body").GetString());

        var field = Guid.NewGuid();
        await Send(new UpdateContactField(tenant, field, contact, null, Run,
            new Dictionary<string, JsonElement> { ["first_name"] = Json("Zoe"), ["attributes"] = Json(new { plan = "pro" }) }, Now));
        await Applied(field);
        var consent = Guid.NewGuid();
        await Send(new SetMarketingConsent(tenant, consent, contact, null, "email:unsubscribe", false, "list-unsubscribe", Now));
        await Applied(consent);
        var score = Guid.NewGuid();
        await Send(new RecalculateScore(tenant, score, contact, null, Run, 15, Now));
        await Applied(score);
        var now = await client.Contact(contact);
        Assert.Equal(("Zoe", "pro", false, 25), (now.GetProperty("first_name").GetString(), now.GetProperty("attributes").GetProperty("plan").GetString(),
            now.GetProperty("marketing_consent").GetBoolean(), now.GetProperty("score").GetInt32()));
        await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == contact && e.ChangedFields.Contains("score"));

        var duplicate = await client.CreateContact($"work.alt@{tenant:N}.test");
        var merge = Guid.NewGuid();
        await Send(new MergeContacts(tenant, merge, contact, null, Run, duplicate, null, Now));
        Assert.Equal(contact, (await Applied(merge)).ObjectId);
        await app.Events.WaitFor<ContactsMerged>(e => e.DuplicateId == duplicate && e.MergedBy == Run);
        // A command naming the duplicate's id reaches the survivor.
        var tagDuplicate = Guid.NewGuid();
        await Send(new AddTag(tenant, tagDuplicate, duplicate, null, Run, "merged", Now));
        Assert.Equal(contact, (await Applied(tagDuplicate)).ContactId);
    }

    [Fact]
    public async Task Tasks_are_changed_activities_recorded_and_next_states_predicted_by_command()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"more@{tenant:N}.test");
        var createTask = Guid.NewGuid();
        await Send(new CreateTask(tenant, createTask, contact, null, Run, null, "Call back", null, null, null, null, Now));
        var task = (await Applied(createTask)).ObjectId!.Value;

        // A task's fields as PATCH takes them, and its status: completing it is TaskCompleted, by the workflow.
        var update = Guid.NewGuid();
        await Send(new UpdateTask(tenant, update, null, null, Run, task,
            Json(new { title = "Call back about pricing", priority = "urgent", due_local = "2027-03-01T09:30:00", timezone = "Europe/Paris", status = "completed" }),
            Now));
        Assert.Equal(task, (await Applied(update)).ObjectId);
        var stored = await client.GetJson($"/api/leads/tasks/{task}");
        Assert.Equal(("Call back about pricing", "urgent", "completed", new DateTimeOffset(2027, 3, 1, 8, 30, 0, TimeSpan.Zero)),
            (stored.GetProperty("title").GetString(), stored.GetProperty("priority").GetString(), stored.GetProperty("status").GetString(),
                stored.GetProperty("due_at").GetDateTimeOffset()));
        await app.Events.WaitFor<TaskCompleted>(e => e.TaskId == task && e.CompletedBy == Run);
        // A change the API would refuse is refused, and nothing of it is written.
        var bad = Guid.NewGuid();
        await Send(new UpdateTask(tenant, bad, null, null, Run, task, Json(new { title = "", status = "open" }), Now));
        Assert.Equal(("invalid", 400), ((await Failed(bad)).Reason, (await Failed(bad)).Status));
        Assert.Equal("completed", (await client.GetJson($"/api/leads/tasks/{task}")).GetProperty("status").GetString());

        // track_event: an activity of the workflow's type on the contact's feed, announced like any other.
        var track = Guid.NewGuid();
        await Send(new RecordActivity(tenant, track, contact, null, Run, "webinar.attended", Json(new { webinar = "Q1 launch" }), Now));
        var activity = (await Applied(track)).ObjectId!.Value;
        var recorded = await app.Events.WaitFor<ActivityRecorded>(e => e.ContactId == contact && e.Type == "webinar.attended");
        Assert.Equal("Q1 launch", recorded.Metadata!["webinar"].GetString());
        Assert.Contains((await client.GetJson($"/api/leads/contacts/{contact}/activities")).GetProperty("items").EnumerateArray(),
            a => a.GetProperty("id").GetGuid() == activity && a.GetProperty("type").GetString() == "webinar.attended");

        // predict_action: the next state with every allowed one's probability, stored as the API's predictions are.
        var predict = Guid.NewGuid();
        await Send(new PredictNextState(tenant, predict, contact, null, Run, Now));
        var prediction = await app.Events.WaitFor<NextStatePredicted>(e => e.CommandId == predict);
        Assert.Equal(prediction.PredictionId, (await Applied(predict)).ObjectId);
        Assert.Equal((contact, Run), (prediction.ContactId, prediction.RequestedBy));
        Assert.Equal(1.0, prediction.Probabilities.Sum(p => p.Probability), 6);
        Assert.Equal(prediction.Probabilities.MaxBy(p => p.Probability)!.StateId, prediction.PredictedStateId);
        Assert.Equal(prediction.Probabilities.Max(p => p.Probability), prediction.Probability);
        var listed = (await client.GetJson($"/api/leads/contacts/{contact}/predictions")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal((prediction.PredictionId, prediction.PredictedState), (listed.GetProperty("id").GetGuid(), listed.GetProperty("predicted_state").GetString()));
    }

    [Fact]
    public async Task A_command_that_cannot_apply_is_recorded_and_answered_with_its_reason_and_writes_nothing()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"fail@{tenant:N}.test");

        var unknown = Guid.NewGuid();
        await Send(new AddTag(tenant, unknown, null, $"nobody@{tenant:N}.test", Run, "vip", Now));
        var noContact = await Failed(unknown);
        Assert.Equal(("contact_not_found", 404, Run), (noContact.Reason, noContact.Status, noContact.RequestedBy));

        var notAllowed = Guid.NewGuid();
        await Send(new ChangeLeadState(tenant, notAllowed, contact, null, Run, "won", null, Now));
        var refused = await Failed(notAllowed);
        Assert.Equal(("conflict", 409), (refused.Reason, refused.Status));
        Assert.Contains("not an allowed transition", refused.Detail);

        // The deal names a contact that does not exist: refused, and no deal is left behind.
        var badDeal = Guid.NewGuid();
        await Send(new CreateDeal(tenant, badDeal, contact, null, Run, Json(new { name = "Ghost", contact_ids = new[] { Guid.NewGuid() } }), Now));
        Assert.Equal("refused", (await Failed(badDeal)).Reason);
        var invalid = Guid.NewGuid();
        await Send(new AddTag(tenant, invalid, contact, null, Run, "no spaces allowed", Now));
        Assert.Equal(("invalid", 400), ((await Failed(invalid)).Reason, (await Failed(invalid)).Status));
        var badTask = Guid.NewGuid();
        await Send(new CompleteTask(tenant, badTask, null, null, Run, Guid.NewGuid(), Now));
        Assert.Equal("not_found", (await Failed(badTask)).Reason);
        Assert.Empty((await client.GetJson("/api/leads/deals")).GetProperty("items").EnumerateArray());
        Assert.Empty((await client.Contact(contact)).GetProperty("tags").EnumerateArray());

        // Another tenant's contact is no contact here.
        var stranger = Guid.NewGuid();
        await Send(new AddTag(Guid.NewGuid(), stranger, contact, null, Run, "vip", Now));
        Assert.Equal("contact_not_found", (await Failed(stranger)).Reason);

        // The log: each failure with its reason, newest first, and any command by its id; nothing went to an error queue.
        var failures = (await client.GetJson("/api/leads/commands/failures")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([badTask, invalid, badDeal, notAllowed, unknown], failures.Select(f => f.GetProperty("command_id").GetGuid()));
        Assert.Equal("ChangeLeadState", failures[3].GetProperty("command").GetString());
        Assert.Equal("won", failures[3].GetProperty("payload").GetProperty("to_state").GetString());
        Assert.Equal([invalid, unknown], (await client.GetJson("/api/leads/commands/failures?command=AddTag&requested_by=workflow:7f0c"))
            .GetProperty("items").EnumerateArray().Select(f => f.GetProperty("command_id").GetGuid()));
        Assert.Empty((await client.GetJson("/api/leads/commands/failures?requested_by=sequence:")).GetProperty("items").EnumerateArray());
        Assert.Equal("failed", (await client.GetJson($"/api/leads/commands/{unknown}")).GetProperty("status").GetString());
        await (await client.GetAsync($"/api/leads/commands/{stranger}")).Expect(HttpStatusCode.NotFound);
        Assert.Equal(0, await app.VirtualHost.ReadyMessagesAsync("leads-leads-commands"));
        Assert.Null(await app.VirtualHost.ReadyMessagesAsync("leads-leads-commands_error"));
    }
}
