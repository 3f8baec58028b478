using System.Net;
using System.Text.Json;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Sequences;

/// <summary>Sequences and their steps through the API: the seed's example as one request, step editing, the status rules, bad input.</summary>
public sealed class Designing_sequences(CortexApp app) : IClassFixture<CortexApp>
{
    [Fact]
    public async Task The_cold_outreach_example_is_created_in_one_request_and_read_back_as_written()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var created = await client.CreateSequence(SequenceFixtures.ColdOutreach(status: "draft", settings: new
        {
            timezone = "Europe/Berlin", business_hours = new { start = "09:00", end = "17:00", days = new[] { "monday", "tuesday", "wednesday", "thursday", "friday" } },
            send_window = new { start = "08:00", end = "18:00" }, daily_limit = 200, stagger_seconds = 30, from_email = "sales@example.com",
        }));
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(("draft", 9), (created.GetProperty("status").GetString(), created.GetProperty("steps_count").GetInt32()));

        var got = await client.GetJson($"/api/cortex/sequences/{id}");
        var steps = got.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(Enumerable.Range(1, 9), steps.Select(s => s.GetProperty("step_order").GetInt32()));
        Assert.Equal(["email", "delay", "condition", "email", "delay", "condition", "email", "action", "email"], steps.Select(s => s.GetProperty("step_type").GetString()));
        Assert.Equal(("Quick question about {{company}}", "Hi {{name}}, I noticed..."), (steps[0].GetProperty("subject").GetString(), steps[0].GetProperty("body").GetString()));
        Assert.Equal(3, steps[1].GetProperty("delay_days").GetDouble());
        Assert.Equal(["if_replied", "if_opened"], steps[5].GetProperty("conditions").EnumerateArray().Select(c => c.GetString()));
        Assert.Equal((9, 7), (steps[5].GetProperty("then").GetInt32(), steps[5].GetProperty("else").GetInt32()));
        Assert.Equal(("update_status", "unresponsive"), (steps[7].GetProperty("action_type").GetString(),
            steps[7].GetProperty("action_value").GetProperty("status").GetString()));
        var settings = got.GetProperty("settings");
        Assert.Equal(("Europe/Berlin", 200, "17:00"), (settings.GetProperty("timezone").GetString(), settings.GetProperty("daily_limit").GetInt32(),
            settings.GetProperty("business_hours").GetProperty("end").GetString()));

        var drafts = await client.GetJson("/api/cortex/sequences?status=draft");
        Assert.Contains(drafts.GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
        Assert.DoesNotContain((await client.GetJson("/api/cortex/sequences?status=active")).GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task Steps_are_added_moved_reordered_and_deleted_with_their_orders_kept_dense()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = (await client.CreateSequence(new { name = "Edit me" })).GetProperty("id").GetGuid();
        async Task<Guid> Add(object step) => (await (await client.Post($"/api/cortex/sequences/{id}/steps", step)).Expect(HttpStatusCode.Created)).GetProperty("id").GetGuid();
        var a = await Add(new { step_type = "email", subject = "A", body = "a" });
        var b = await Add(new { step_type = "delay", delay_days = 2 });
        var c = await Add(new { step_type = "email", subject = "C", body = "c" });
        // Inserted at 1: the others move down.
        var first = await Add(new { step_type = "action", action_type = "tag_lead", action_value = new { tags = new[] { "in-sequence" } }, step_order = 1 });
        async Task<List<Guid>> Order() => (await client.GetJson($"/api/cortex/sequences/{id}/steps")).EnumerateArray().Select(s => s.GetProperty("id").GetGuid()).ToList();
        Assert.Equal([first, a, b, c], await Order());
        Assert.Equal(4, (await client.GetJson($"/api/cortex/sequences/{id}")).GetProperty("steps_count").GetInt32());

        // PUT by step_order or by id; a new step_order moves it.
        var moved = await (await client.Put($"/api/cortex/sequences/{id}/steps/{c}", new { subject = "C2", body = "c2", step_order = 2 })).Expect(HttpStatusCode.OK);
        Assert.Equal(("email", "C2", 2), (moved.GetProperty("step_type").GetString(), moved.GetProperty("subject").GetString(), moved.GetProperty("step_order").GetInt32()));
        Assert.Equal([first, c, a, b], await Order());
        await (await client.Put($"/api/cortex/sequences/{id}/steps/4", new { delay_hours = 5 })).Expect(HttpStatusCode.OK);
        Assert.Equal(5, (await client.GetJson($"/api/cortex/sequences/{id}/steps")).EnumerateArray().Last().GetProperty("delay_hours").GetDouble());

        var reordered = await (await client.Post($"/api/cortex/sequences/{id}/steps/reorder", new { step_ids = new[] { b, a, c, first } })).Expect(HttpStatusCode.OK);
        Assert.Equal([b, a, c, first], reordered.EnumerateArray().Select(s => s.GetProperty("id").GetGuid()));
        await (await client.Post($"/api/cortex/sequences/{id}/steps/reorder", new { step_ids = new[] { b, a } })).Expect(HttpStatusCode.UnprocessableEntity);

        await (await client.DeleteAsync($"/api/cortex/sequences/{id}/steps/{a}")).Expect(HttpStatusCode.NoContent);
        var left = (await client.GetJson($"/api/cortex/sequences/{id}/steps")).EnumerateArray().ToList();
        Assert.Equal([b, c, first], left.Select(s => s.GetProperty("id").GetGuid()));
        Assert.Equal([1, 2, 3], left.Select(s => s.GetProperty("step_order").GetInt32()));
        Assert.Equal(3, (await client.GetJson($"/api/cortex/sequences/{id}")).GetProperty("steps_count").GetInt32());
        await (await client.DeleteAsync($"/api/cortex/sequences/{id}/steps/{a}")).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Only_a_draft_is_deleted_statuses_move_forward_and_a_duplicate_copies_every_step()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var draft = (await client.CreateSequence(new { name = "Scratch" })).GetProperty("id").GetGuid();
        await (await client.DeleteAsync($"/api/cortex/sequences/{draft}")).Expect(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/api/cortex/sequences/{draft}")).Expect(HttpStatusCode.NotFound);

        var live = (await client.CreateSequence(SequenceFixtures.ColdOutreach())).GetProperty("id").GetGuid();
        var refused = await (await client.DeleteAsync($"/api/cortex/sequences/{live}")).Expect(HttpStatusCode.Conflict);
        Assert.Contains("draft", refused.GetProperty("detail").GetString());
        await (await client.Put($"/api/cortex/sequences/{live}", new { status = "draft" })).Expect(HttpStatusCode.Conflict);
        var paused = await (await client.Put($"/api/cortex/sequences/{live}", new { status = "paused", name = "Cold outreach (Q3)" })).Expect(HttpStatusCode.OK);
        Assert.Equal(("paused", "Cold outreach (Q3)"), (paused.GetProperty("status").GetString(), paused.GetProperty("name").GetString()));

        var copy = await (await client.PostAsync($"/api/cortex/sequences/{live}/duplicate", null)).Expect(HttpStatusCode.Created);
        Assert.Equal(("Cold outreach (Q3) (copy)", "draft", 9), (copy.GetProperty("name").GetString(), copy.GetProperty("status").GetString(),
            copy.GetProperty("steps_count").GetInt32()));
        var original = (await client.GetJson($"/api/cortex/sequences/{live}/steps")).EnumerateArray().ToList();
        var copied = copy.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal(original.Select(s => s.GetProperty("subject").ToString()), copied.Select(s => s.GetProperty("subject").ToString()));
        Assert.DoesNotContain(copied, s => original.Any(o => o.GetProperty("id").GetGuid() == s.GetProperty("id").GetGuid()));

        await (await client.Put($"/api/cortex/sequences/{live}", new { status = "archived" })).Expect(HttpStatusCode.OK);
        await (await client.Put($"/api/cortex/sequences/{live}", new { name = "again" })).Expect(HttpStatusCode.Conflict);
        await (await client.Post($"/api/cortex/sequences/{live}/steps", new { step_type = "delay", delay_days = 1 })).Expect(HttpStatusCode.Conflict);
        var lead = await app.KnownContact(tenant, "Al");
        await (await client.Post("/api/cortex/leads/enroll-in-sequence", new { sequence_id = live, lead_ids = new[] { lead } })).Expect(HttpStatusCode.Conflict);
        await (await client.Post("/api/cortex/leads/enroll-in-sequence", new { sequence_id = copy.GetProperty("id").GetGuid(), lead_ids = new[] { lead } }))
            .Expect(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Bad_input_gets_a_problem_naming_each_field()
    {
        var client = app.ClientFor(Guid.NewGuid());
        async Task<JsonElement> Bad(object body) =>
            (await (await client.Post("/api/cortex/sequences", body)).Expect(HttpStatusCode.BadRequest)).GetProperty("errors");

        var errors = await Bad(new
        {
            name = "",
            settings = new { timezone = "Mars/Olympus", business_hours = new { start = "18:00", end = "09:00" }, daily_limit = 0 },
            steps = new object[]
            {
                new { step_type = "fax" },
                new { step_type = "email", subject = "Hi {{#if name}}", body = "unclosed" },
                new { step_type = "delay" },
                new { step_type = "condition", condition_type = "if_sleeping" },
                new { step_type = "condition", conditions = new[] { "if_opened" }, then = "somewhere" },
                new { step_type = "action", action_type = "update_status" },
                new { step_type = "action", action_type = "launch_rocket" },
                new { step_type = "email", subject = "A", body = "a", variants = new[] { new { name = "A", subject = "x", body = "y" } } },
            },
        });
        foreach (var field in new[]
                 {
                     "name", "settings.timezone", "settings.business_hours.end", "settings.daily_limit", "steps[0].step_type", "steps[1].subject",
                     "steps[2].delay_days", "steps[3].condition_type", "steps[4].then", "steps[5].action_value.status", "steps[6].action_type", "steps[7].variants[0].name",
                 })
            Assert.True(errors.TryGetProperty(field, out _), $"{field} is not named in {errors}");

        var id = (await client.CreateSequence(new { name = "Fine" })).GetProperty("id").GetGuid();
        await (await client.Post($"/api/cortex/sequences/{id}/steps", new { step_type = "email", subject = "only a subject" })).Expect(HttpStatusCode.BadRequest);
        await (await client.Post($"/api/cortex/sequences/{id}/steps", new { step_type = "delay", delay_days = 1, step_order = 5 })).Expect(HttpStatusCode.UnprocessableEntity);
        await (await client.GetAsync("/api/cortex/sequences?status=sleeping")).Expect(HttpStatusCode.BadRequest);
        await (await client.Post("/api/cortex/leads/enroll-in-sequence", new { sequence_id = id, lead_ids = Array.Empty<Guid>() })).Expect(HttpStatusCode.BadRequest);
        await (await client.Post("/api/cortex/leads/enroll-in-sequence", new { sequence_id = Guid.NewGuid(), lead_ids = new[] { Guid.NewGuid() } }))
            .Expect(HttpStatusCode.NotFound);

        // Another tenant sees none of it.
        var other = app.ClientFor(Guid.NewGuid());
        await (await other.GetAsync($"/api/cortex/sequences/{id}")).Expect(HttpStatusCode.NotFound);
        await (await other.Put($"/api/cortex/sequences/{id}", new { name = "mine now" })).Expect(HttpStatusCode.NotFound);
        await (await other.DeleteAsync($"/api/cortex/sequences/{id}")).Expect(HttpStatusCode.NotFound);
        Assert.DoesNotContain((await other.GetJson("/api/cortex/sequences")).GetProperty("items").EnumerateArray(), s => s.GetProperty("id").GetGuid() == id);
    }

    [Fact]
    public async Task The_seed_paths_serve_the_same_sequences()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var created = await (await client.Post("/sequences", SequenceFixtures.ColdOutreach())).Expect(HttpStatusCode.Created);
        var id = created.GetProperty("id").GetGuid();
        Assert.Equal(id, (await client.GetJson($"/api/cortex/sequences/{id}")).GetProperty("id").GetGuid());
        Assert.Equal(9, (await client.GetJson($"/sequences/{id}/steps")).GetArrayLength());
        await (await client.Put($"/sequences/{id}/steps/9", new { step_type = "email", subject = "Changed", body = "b" })).Expect(HttpStatusCode.OK);
        Assert.Equal("Changed", (await client.GetJson($"/api/cortex/sequences/{id}/steps")).EnumerateArray().Last().GetProperty("subject").GetString());

        var lead = await app.KnownContact(tenant, "Seed");
        var enrolled = await (await client.Post("/leads/enroll-in-sequence", new { sequence_id = id, lead_ids = new[] { lead } })).Expect(HttpStatusCode.Accepted);
        Assert.Equal(1, enrolled.GetProperty("enrolled").GetInt32());
        var state = await Eventually.Until(() => client.GetJson($"/leads/{lead}/sequence-state"), s => s.GetArrayLength() == 1, TimeSpan.FromSeconds(20),
            "the seed path shows the enrolment");
        Assert.Equal(id, state[0].GetProperty("sequence_id").GetGuid());
        var queue = await (await client.PostAsync("/sequences/process-queue", null)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, queue.GetProperty("processed").GetInt32());
        await (await client.Post($"/leads/{lead}/stop-sequence", new { reason = "seed path" })).Expect(HttpStatusCode.Accepted);
        var stopped = await client.EnrollmentWhen(lead, id, e => e.GetProperty("status").GetString() == "stopped", "the seed path stops it");
        Assert.Equal("seed path", stopped.GetProperty("stop_reason").GetString());
        Assert.Equal(1, (await client.GetJson($"/sequences/{id}/analytics")).GetProperty("stopped").GetInt32());
    }
}
