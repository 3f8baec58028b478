using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Work;

/// <summary>Tasks with due times in the assignee's time zone and an overdue list, and notes that show in the contact's feed.</summary>
public sealed class Keeping_tasks_and_notes(LeadsApp app) : IClassFixture<LeadsApp>
{
    static Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status) => response.Expect(status);

    [Fact]
    public async Task A_task_due_at_nine_in_Paris_is_due_at_eight_UTC_goes_overdue_and_completes_once()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"ada@{tenant:N}.test");
        var task = await Expect(await client.Post("/api/leads/tasks", new
        {
            title = "Call Ada back", contact_id = contact, due_local = "2027-01-05T09:00", timezone = "Europe/Paris", assignee_id = "user-7", priority = "high",
        }), HttpStatusCode.Created);
        var id = task.GetProperty("id").GetGuid();
        Assert.Equal("2027-01-05T08:00:00Z", task.GetProperty("due_at").GetDateTime().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'"));
        Assert.Equal(("2027-01-05T09:00", "open", false), (task.GetProperty("due_local").GetString(), task.GetProperty("status").GetString(),
            task.GetProperty("overdue").GetBoolean()));
        var created = await app.Events.WaitFor<TaskCreated>(e => e.TaskId == id);
        Assert.Equal((contact, "user-7", "high"), (created.ContactId!.Value, created.AssigneeId!, created.Priority));

        // One in the past: overdue, and on the overdue list; the future one is not.
        var late = (await Expect(await client.Post("/api/leads/tasks", new { title = "Send the quote", contact_id = contact, due_at = DateTimeOffset.UtcNow.AddHours(-2) }),
            HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var overdue = (await client.GetJson("/api/leads/tasks?overdue=true")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([late], overdue.Select(t => t.GetProperty("id").GetGuid()));
        Assert.True(overdue[0].GetProperty("overdue").GetBoolean());

        var done = await Expect(await client.PostAsync($"/api/leads/tasks/{late}/complete", null), HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("status").GetString());
        await Expect(await client.PostAsync($"/api/leads/tasks/{late}/complete", null), HttpStatusCode.OK);
        await app.Events.WaitFor<TaskCompleted>(e => e.TaskId == late);
        Assert.Single(app.Events.Received<TaskCompleted>(), e => e.TaskId == late);
        Assert.Empty((await client.GetJson("/api/leads/tasks?overdue=true")).GetProperty("items").EnumerateArray());
        Assert.Equal("open", (await Expect(await client.PostAsync($"/api/leads/tasks/{late}/reopen", null), HttpStatusCode.OK)).GetProperty("status").GetString());

        var moved = await Expect(await client.Patch($"/api/leads/tasks/{id}", new { due_local = "2027-07-05T09:00", priority = (string?)null }), HttpStatusCode.OK);
        Assert.Equal(("2027-07-05T07:00", "normal"), (moved.GetProperty("due_at").GetDateTime().ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm"),
            moved.GetProperty("priority").GetString()));
        Assert.Equal([id], (await client.GetJson($"/api/leads/tasks?contact_id={contact}&assignee_id=user-7")).GetProperty("items").EnumerateArray()
            .Select(t => t.GetProperty("id").GetGuid()));

        await Expect(await client.Post("/api/leads/tasks", new { title = "x", contact_id = Guid.NewGuid() }), HttpStatusCode.UnprocessableEntity);
        await Expect(await client.Post("/api/leads/tasks", new { title = "x" }), HttpStatusCode.BadRequest);
        await Expect(await client.Post("/api/leads/tasks", new { title = "x", contact_id = contact, due_local = "2027-01-05T09:00", timezone = "Mars/Olympus" }),
            HttpStatusCode.BadRequest);
        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientFor(Guid.NewGuid()).GetAsync($"/api/leads/tasks/{id}")).StatusCode);
    }

    [Fact]
    public async Task A_note_on_a_contact_and_a_deal_is_in_the_contacts_activity_feed()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = await client.CreateContact($"bob@{tenant:N}.test");
        var deal = (await Expect(await client.Post("/api/leads/deals", new { name = "Bob's renewal", contact_ids = new[] { contact } }), HttpStatusCode.Created))
            .GetProperty("id").GetGuid();

        var note = await Expect(await client.Post("/api/leads/notes", new { contact_id = contact, deal_id = deal, body = "Wants a 3-year term." }),
            HttpStatusCode.Created);
        var noteId = note.GetProperty("id").GetGuid();
        var feed = (await client.GetJson($"/api/leads/contacts/{contact}/activities?type=note.added")).GetProperty("items").EnumerateArray().Single();
        Assert.Equal(("Wants a 3-year term.", noteId.ToString()), (feed.GetProperty("metadata").GetProperty("text").GetString(),
            feed.GetProperty("metadata").GetProperty("note_id").GetString()));
        Assert.Equal([noteId], (await client.GetJson($"/api/leads/notes?deal_id={deal}")).EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));
        Assert.Equal([noteId], (await client.GetJson($"/api/leads/notes?contact_id={contact}")).EnumerateArray().Select(n => n.GetProperty("id").GetGuid()));

        await Expect(await client.Post("/api/leads/notes", new { body = "orphan" }), HttpStatusCode.BadRequest);
        await Expect(await client.Post("/api/leads/notes", new { deal_id = Guid.NewGuid(), body = "x" }), HttpStatusCode.UnprocessableEntity);
        Assert.Empty((await app.ClientFor(Guid.NewGuid()).GetJson($"/api/leads/notes?contact_id={contact}")).EnumerateArray());
    }
}
