using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Contracts.Segments;
using GrowthOps.Cortex.Data;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Sequences;

/// <summary>
/// The seed's cold-outreach example run by the enrolment saga, a day lasting a second: each path of it, stops on replies and
/// bounces (also in the middle of a wait), pause and resume, bulk enrolment, A/B variants and what analytics make of them.
/// </summary>
public sealed class Running_sequences(SequencesApp app) : IClassFixture<SequencesApp>
{
    async Task<(Guid Tenant, HttpClient Client, Guid Sequence, Guid Lead)> Enrolled(object? settings = null, object? body = null)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(body ?? SequenceFixtures.ColdOutreach(settings: settings))).GetProperty("id").GetGuid();
        var lead = await app.KnownContact(tenant, "Grace");
        var enrolled = await client.EnrollLeads(sequence, lead);
        Assert.Equal(1, enrolled.GetProperty("enrolled").GetInt32());
        return (tenant, client, sequence, lead);
    }

    [Fact]
    public async Task A_reply_after_the_first_email_stops_the_sequence_and_marks_the_lead_qualified()
    {
        var (tenant, client, sequence, lead) = await Enrolled();
        var first = await app.NextEmail(tenant, lead, "Quick question about");
        // The templates go to Email as written: Email renders {{name}} and {{company}} with the recipient's fields.
        Assert.Equal(("Quick question about {{company}}", "marketing", sequence), (first.Subject, first.Category, Guid.Parse(first.RequestedBy["sequence:".Length..])));
        var message = await app.Sent(first);
        await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("emails_sent").GetInt32() == 1 && e.GetProperty("state").GetString() == "Waiting",
            "the first email is counted and the enrolment waits out the 3 days");

        await app.Bus.Bus.Publish(new EmailReplied(tenant, message, lead, "lead@example.com", null, "Re: Quick question", "Sounds good", DateTimeOffset.UtcNow));
        var stopped = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "stopped", "the reply stops the sequence");
        Assert.Equal(("replied", 1), (stopped.GetProperty("stop_reason").GetString(), stopped.GetProperty("emails_replied").GetInt32()));
        var qualified = await app.Bus.WaitFor<ChangeLeadState>(c => c.TenantId == tenant && c.ContactId == lead);
        Assert.Equal("qualified", qualified.ToState);

        // Well past the 3 days: the follow-up never goes.
        await Task.Delay(TimeSpan.FromSeconds(4 * SequencesApp.DaySeconds));
        Assert.Single(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant);
        var analytics = await client.GetJson($"/api/cortex/sequences/{sequence}/analytics");
        Assert.Equal((1, 1, 1.0), (analytics.GetProperty("stopped").GetInt32(), analytics.GetProperty("stopped_by_reason").GetProperty("replied").GetInt32(),
            analytics.GetProperty("emails").GetProperty("reply_rate").GetDouble()));
    }

    [Fact]
    public async Task With_the_reply_rule_off_the_condition_at_step_3_stops_it_as_qualified()
    {
        var (tenant, client, sequence, lead) = await Enrolled(new { stop_rules = new { reply = false } });
        var message = await app.Sent(await app.NextEmail(tenant, lead, "Quick question about"));
        await app.Bus.Bus.Publish(new EmailReplied(tenant, message, lead, "lead@example.com", null, "Re:", "Tell me more", DateTimeOffset.UtcNow));
        var replied = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("emails_replied").GetInt32() == 1, "the reply is counted");
        Assert.Equal("active", replied.GetProperty("status").GetString());

        var stopped = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "stopped", "step 3 stops it after the delay");
        Assert.Equal(("qualified", 3), (stopped.GetProperty("stop_reason").GetString(), stopped.GetProperty("steps_completed").GetInt32()));
        Assert.Equal("qualified", (await app.Bus.WaitFor<ChangeLeadState>(c => c.TenantId == tenant)).ToState);
        var log = await client.SequenceLog(lead);
        var condition = Assert.Single(log, l => l.GetProperty("action").GetString() == "condition");
        Assert.Equal(("if_replied", 3), (condition.GetProperty("detail").GetProperty("matched").GetString(), condition.GetProperty("step_order").GetInt32()));
    }

    [Fact]
    public async Task Without_a_reply_the_follow_up_goes_and_an_open_picks_the_interested_branch()
    {
        var (tenant, client, sequence, lead) = await Enrolled();
        var started = DateTime.UtcNow;
        await app.Sent(await app.NextEmail(tenant, lead, "Quick question about"));
        var followUp = await app.NextEmail(tenant, lead, "Following up");
        // The 3-day delay (3 s here) lies between the two emails.
        Assert.True(DateTime.UtcNow - started >= TimeSpan.FromSeconds(3 * SequencesApp.DaySeconds * 0.9), "the follow-up waited for the delay");
        var second = await app.Sent(followUp);
        await app.Bus.Bus.Publish(new EmailOpened(tenant, second, lead, "lead@example.com", null, true, false, "Mozilla/5.0", DateTimeOffset.UtcNow));

        var interested = await app.NextEmail(tenant, lead, "Glad it caught your eye");
        await app.Sent(interested);
        var done = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "completed", "the sequence completes");
        Assert.Equal((3, 1, 0), (done.GetProperty("emails_sent").GetInt32(), done.GetProperty("emails_opened").GetInt32(), done.GetProperty("emails_replied").GetInt32()));
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.Subject == "Last email from me");
        Assert.DoesNotContain(app.Bus.Received<ChangeLeadState>(), c => c.TenantId == tenant);
        // Each step's idempotency key is its own: three keys for three sends.
        Assert.Equal(3, app.Bus.Received<SendEmail>().Where(s => s.TenantId == tenant).Select(s => s.IdempotencyKey).Distinct().Count());
    }

    [Fact]
    public async Task Without_opens_the_breakup_goes_and_the_lead_ends_unresponsive()
    {
        var (tenant, client, sequence, lead) = await Enrolled();
        await app.Sent(await app.NextEmail(tenant, lead, "Quick question about"));
        await app.Sent(await app.NextEmail(tenant, lead, "Following up"));
        // A machine's prefetch is not an open: the breakup still goes.
        await app.Bus.Bus.Publish(new EmailOpened(tenant, Guid.NewGuid(), lead, "lead@example.com", null, true, true, "GoogleImageProxy", DateTimeOffset.UtcNow));
        await app.Sent(await app.NextEmail(tenant, lead, "Last email from me"));
        var status = await app.Bus.WaitFor<ChangeLeadState>(c => c.TenantId == tenant && c.ContactId == lead);
        Assert.Equal(("unresponsive", $"sequence:{sequence}"), (status.ToState, status.RequestedBy));

        var done = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "completed", "the sequence completes");
        Assert.Equal((8, 3), (done.GetProperty("steps_completed").GetInt32(), done.GetProperty("emails_sent").GetInt32()));
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.Subject!.StartsWith("Glad", StringComparison.Ordinal));
        var log = await client.SequenceLog(lead);
        Assert.Contains(log, l => l.GetProperty("action").GetString() == "update_status" && l.GetProperty("outcome").GetString() == "success");
        Assert.Contains(log, l => l.GetProperty("action").GetString() == "complete");

        var analytics = await client.GetJson($"/api/cortex/sequences/{sequence}/analytics");
        Assert.Equal((1, 1, 1.0), (analytics.GetProperty("total_enrolled").GetInt32(), analytics.GetProperty("completed").GetInt32(),
            analytics.GetProperty("completion_rate").GetDouble()));
        var steps = analytics.GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal([1, 1, 1, 1, 1, 1, 1, 1, 0], steps.Select(s => s.GetProperty("completed").GetInt32()));
    }

    [Fact]
    public async Task A_bounce_during_a_delay_stops_it_at_once_and_nothing_more_is_sent()
    {
        var (tenant, client, sequence, lead) = await Enrolled(body: new
        {
            name = "Long wait",
            status = "active",
            steps = new object[]
            {
                new { step_type = "email", subject = "Hello {{first_name}}", body = "First touch" },
                new { step_type = "delay", delay_days = 30 },
                new { step_type = "email", subject = "Second touch", body = "Still there?" },
            },
        });
        var message = await app.Sent(await app.NextEmail(tenant, lead, "Hello"));
        var waiting = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("state").GetString() == "Waiting" && e.GetProperty("current_step").GetInt32() == 2,
            "the enrolment waits in the 30-day delay");
        Assert.True(waiting.GetProperty("next_action_at").GetDateTime() > DateTime.UtcNow.AddSeconds(20));

        await app.Bus.Bus.Publish(new EmailBounced(tenant, message, lead, "lead@example.com", null, true, "HardBounce", "mailbox unknown", DateTimeOffset.UtcNow));
        var stopped = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "stopped", "the bounce stops it in the delay");
        Assert.Equal(("bounced", true), (stopped.GetProperty("stop_reason").GetString(), stopped.GetProperty("bounced").GetBoolean()));
        // The delay's timeout was cancelled with it.
        var queue = await client.PostAsync("/api/cortex/sequences/process-queue", null);
        Assert.Equal(0, (await queue.Expect(HttpStatusCode.OK)).GetProperty("waiting").GetInt32());
        Assert.Single(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant);
    }

    [Fact]
    public async Task Enrolling_is_idempotent_unknown_leads_are_reported_and_a_campaign_enrolls_its_members()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(SequenceFixtures.ColdOutreach())).GetProperty("id").GetGuid();
        var a = await app.KnownContact(tenant, "Ann");
        var b = await app.KnownContact(tenant, "Bob");
        var stranger = Guid.NewGuid();
        var first = await client.EnrollLeads(sequence, a, a, stranger);
        Assert.Equal((1, 0, 1), (first.GetProperty("enrolled").GetInt32(), first.GetProperty("already_active").GetInt32(), first.GetProperty("not_found").GetInt32()));
        await client.EnrollmentWhen(a, sequence, e => e.GetProperty("state").GetString() is "Sending" or "Waiting", "a is enrolled");
        var again = await client.EnrollLeads(sequence, a);
        Assert.Equal((0, 1), (again.GetProperty("enrolled").GetInt32(), again.GetProperty("already_active").GetInt32()));

        // The campaign is a segment: its members as Segments announced them.
        var segment = Guid.NewGuid();
        await app.Bus.Bus.Publish(new SegmentMembershipChanged(tenant, segment, "Webinar attendees", b, "entered", "criteria", DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new SegmentMembershipChanged(tenant, segment, "Webinar attendees", a, "entered", "criteria", DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.InTenantAsync(tenant, s => s.GetRequiredService<SchedulesStore>().MembersAsync(segment, null, 10, default)),
            m => m.Count == 2, TimeSpan.FromSeconds(20), "Cortex knows both members");
        var assigned = await (await client.Post($"/api/cortex/campaigns/{segment}/assign-sequence", new { sequence_id = sequence })).Expect(HttpStatusCode.Accepted);
        Assert.Equal((1, 1), (assigned.GetProperty("enrolled").GetInt32(), assigned.GetProperty("already_active").GetInt32()));
        await (await client.Post($"/api/cortex/campaigns/{Guid.NewGuid()}/assign-sequence", new { sequence_id = sequence })).Expect(HttpStatusCode.NotFound);
        var viaCampaign = await client.EnrollmentWhen(b, sequence, e => e.GetProperty("emails_sent").GetInt32() == 0, "b is enrolled");
        Assert.Equal(segment, viaCampaign.GetProperty("campaign_id").GetGuid());
        // One first email per lead however often it was asked for.
        await app.NextEmail(tenant, b, "Quick question");
        await Task.Delay(500);
        Assert.Single(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.ContactId == a);
    }

    [Fact]
    public async Task Pausing_holds_the_next_step_and_resuming_continues_where_it_was()
    {
        var (tenant, client, sequence, lead) = await Enrolled(body: new
        {
            name = "Two touches",
            status = "active",
            steps = new object[]
            {
                new { step_type = "email", subject = "One", body = "First" },
                new { step_type = "email", subject = "Two", body = "Second", delay_days = 2 },
            },
        });
        await app.Sent(await app.NextEmail(tenant, lead, "One"));
        await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("state").GetString() == "Waiting", "it waits for step 2");
        var paused = await (await client.Post($"/api/cortex/leads/{lead}/pause-sequence", new { sequence_id = sequence, reason = "on holiday" }))
            .Expect(HttpStatusCode.Accepted);
        Assert.Equal("pausing", paused.GetProperty("status").GetString());
        var held = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "paused", "it pauses");
        Assert.Equal("on holiday", held.GetProperty("pause_reason").GetString());
        // Past the step's due time, nothing goes while paused.
        await Task.Delay(TimeSpan.FromSeconds(3 * SequencesApp.DaySeconds));
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.Subject == "Two");
        await (await client.Post($"/api/cortex/leads/{lead}/pause-sequence", new { sequence_id = sequence })).Expect(HttpStatusCode.NotFound);

        await (await client.Post($"/api/cortex/leads/{lead}/resume-sequence", new { sequence_id = sequence })).Expect(HttpStatusCode.Accepted);
        // The due time passed while paused: step 2 runs at once, not after another 2 days.
        var resumed = DateTime.UtcNow;
        await app.Sent(await app.NextEmail(tenant, lead, "Two"));
        Assert.True(DateTime.UtcNow - resumed < TimeSpan.FromSeconds(2 * SequencesApp.DaySeconds), "resuming did not wait the delay again");
        var done = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "completed", "it completes");
        Assert.Equal(2, done.GetProperty("emails_sent").GetInt32());
        var log = await client.SequenceLog(lead);
        Assert.Contains(log, l => l.GetProperty("action").GetString() == "pause");
        Assert.Contains(log, l => l.GetProperty("action").GetString() == "resume");
    }

    [Fact]
    public async Task Stopping_a_lead_by_hand_records_the_reason_and_a_deal_a_meeting_an_unsubscribe_its_deletion_or_merge_stops_it_too()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(SequenceFixtures.ColdOutreach())).GetProperty("id").GetGuid();
        var (manual, deal, meeting) = (await app.KnownContact(tenant, "Mo"), await app.KnownContact(tenant, "Di"), await app.KnownContact(tenant, "Me"));
        var (unsubscribed, deleted, merged) = (await app.KnownContact(tenant, "Un"), await app.KnownContact(tenant, "Del"), await app.KnownContact(tenant, "Dup"));
        await client.EnrollLeads(sequence, manual, deal, meeting, unsubscribed, deleted, merged);
        foreach (var lead in new[] { manual, deal, meeting, unsubscribed, deleted, merged })
            await app.Sent(await app.NextEmail(tenant, lead, "Quick question"));

        await (await client.Post($"/api/cortex/leads/{manual}/stop-sequence", new { reason = "asked to stop on a call" })).Expect(HttpStatusCode.Accepted);
        await app.Bus.Bus.Publish(new DealCreated(tenant, Guid.NewGuid(), "Pilot", 500000, 5000m, "EUR", Guid.NewGuid(), "new", [deal], null, null, null, null,
            DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), meeting, null, "meeting_booked", null, DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new EmailUnsubscribed(tenant, null, unsubscribed, "u@example.com", null, "one_click", DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new ContactDeleted(tenant, deleted, null, DateTimeOffset.UtcNow));
        await app.Bus.Bus.Publish(new ContactsMerged(tenant, manual, merged, $"{merged:N}@example.com", [$"{merged:N}@example.com"],
            new ContactSnapshot(manual, $"{manual:N}@example.com", "lead", "Mo", "Lovelace", null, "Analytical", "web", null, null, 10, null, true, [], "new",
                null, null, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow, 2), "test", DateTimeOffset.UtcNow));
        foreach (var (lead, reason) in new[]
                 {
                     (manual, "asked to stop on a call"), (deal, "deal_created"), (meeting, "meeting_booked"), (unsubscribed, "unsubscribed"), (deleted, "lead_deleted"), (merged, "lead_merged"),
                 })
        {
            var stopped = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "stopped", $"{reason} stops it");
            Assert.Equal(reason, stopped.GetProperty("stop_reason").GetString());
        }

        await (await client.Post($"/api/cortex/leads/{manual}/stop-sequence", new { reason = "again" })).Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Editing_an_active_sequence_changes_the_steps_not_yet_reached_and_pausing_or_archiving_it_holds_or_stops_its_leads()
    {
        var (tenant, client, sequence, lead) = await Enrolled(body: new
        {
            name = "Editable",
            status = "active",
            steps = new object[]
            {
                new { step_type = "email", subject = "First as written", body = "One" },
                new { step_type = "email", subject = "Second as written", body = "Two", delay_days = 2 },
            },
        });
        await app.Sent(await app.NextEmail(tenant, lead, "First as written"));
        await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("state").GetString() == "Waiting", "it waits for step 2");
        // Step 1 is behind the lead: changing it changes nothing for it; step 2 and a new step 3 are ahead.
        await (await client.Put($"/api/cortex/sequences/{sequence}/steps/1", new { subject = "First, edited", body = "One" })).Expect(HttpStatusCode.OK);
        await (await client.Put($"/api/cortex/sequences/{sequence}/steps/2", new { subject = "Second, edited", body = "Two", delay_days = 2 })).Expect(HttpStatusCode.OK);
        await (await client.Post($"/api/cortex/sequences/{sequence}/steps", new { step_type = "email", subject = "Third, added", body = "Three" })).Expect(HttpStatusCode.Created);
        await app.Sent(await app.NextEmail(tenant, lead, "Second, edited"));
        await app.Sent(await app.NextEmail(tenant, lead, "Third, added"));
        await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "completed", "it completes with the added step");
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.Subject is "First, edited" or "Second as written");

        // Pausing the sequence holds its leads at their next step; resuming it continues them; archiving stops them.
        var held = await app.KnownContact(tenant, "Held");
        await client.EnrollLeads(sequence, held);
        await app.Sent(await app.NextEmail(tenant, held, "First, edited"));
        await (await client.Put($"/api/cortex/sequences/{sequence}", new { status = "paused" })).Expect(HttpStatusCode.OK);
        var paused = await client.EnrollmentWhen(held, sequence, e => e.GetProperty("status").GetString() == "paused", "the sequence's pause holds the lead at step 2");
        Assert.Equal("sequence", (await client.SequenceLog(held)).First(l => l.GetProperty("action").GetString() == "pause").GetProperty("detail")
            .GetProperty("requested_by").GetString());
        Assert.Equal(2, paused.GetProperty("current_step").GetInt32());
        await (await client.Put($"/api/cortex/sequences/{sequence}", new { status = "active" })).Expect(HttpStatusCode.OK);
        await app.Sent(await app.NextEmail(tenant, held, "Second, edited"));
        var last = await app.KnownContact(tenant, "Last");
        await client.EnrollLeads(sequence, last);
        await app.Sent(await app.NextEmail(tenant, last, "First, edited"));
        await (await client.Put($"/api/cortex/sequences/{sequence}", new { status = "archived" })).Expect(HttpStatusCode.OK);
        var archived = await client.EnrollmentWhen(last, sequence, e => e.GetProperty("status").GetString() == "stopped", "archiving stops the lead");
        Assert.Equal("sequence_archived", archived.GetProperty("stop_reason").GetString());
    }

    [Fact]
    public async Task Variants_split_by_weight_and_the_analytics_name_the_winner()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(new
        {
            name = "Subject test",
            status = "active",
            steps = new object[]
            {
                new
                {
                    step_type = "email", subject = "Variant A for {{company}}", body = "A body", variant = "A", weight = 1,
                    variants = new[] { new { name = "B", subject = "Variant B for {{company}}", body = "B body", weight = 1 } },
                },
            },
        })).GetProperty("id").GetGuid();
        var leads = new List<Guid>();
        for (var i = 0; i < 12; i++)
            leads.Add(await app.KnownContact(tenant, $"L{i}"));
        await client.EnrollLeads(sequence, [.. leads]);
        var sends = await Eventually.Until(() => Task.FromResult(app.Bus.Received<SendEmail>().Where(s => s.TenantId == tenant).ToList()),
            s => s.Count == 12, TimeSpan.FromSeconds(30), "every lead gets the email");
        Assert.Equal(12, sends.Select(s => s.ContactId).Distinct().Count());
        var bySubject = sends.GroupBy(s => s.Subject![..9]).ToDictionary(g => g.Key, g => g.ToList());
        Assert.True(bySubject.Count == 2, "both variants were sent");
        var messages = new Dictionary<SendEmail, Guid>();
        foreach (var send in sends)
            messages[send] = await app.Sent(send);
        await Eventually.Until(() => client.GetJson($"/api/cortex/sequences/{sequence}/analytics"), a => a.GetProperty("emails").GetProperty("sent").GetInt32() == 12,
            TimeSpan.FromSeconds(30), "every send is recorded");
        // B's recipients all reply, A's do not: B wins.
        foreach (var (send, message) in messages.Where(m => m.Key.Subject!.StartsWith("Variant B", StringComparison.Ordinal)))
            await app.Bus.Bus.Publish(new EmailReplied(tenant, message, send.ContactId, "x@example.com", null, "Re:", "yes", DateTimeOffset.UtcNow));

        var analytics = await Eventually.Until(() => client.GetJson($"/api/cortex/sequences/{sequence}/analytics"),
            a => a.GetProperty("emails").GetProperty("sent").GetInt32() == 12 && a.GetProperty("emails").GetProperty("replied").GetInt32() == bySubject["Variant B"].Count,
            TimeSpan.FromSeconds(30), "the analytics count every send and reply");
        var step = analytics.GetProperty("steps")[0];
        Assert.Equal(("B", "replies"), (step.GetProperty("winning_variant").GetString(), step.GetProperty("winning_metric").GetString()));
        Assert.True(step.GetProperty("winner_probability").GetDouble() > 0.9, step.ToString());
        var variants = step.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("variant").GetString()!, v => v.GetProperty("emails"));
        Assert.Equal((bySubject["Variant A"].Count, 0, bySubject["Variant B"].Count, 1.0), (variants["A"].GetProperty("sent").GetInt32(),
            variants["A"].GetProperty("replied").GetInt32(), variants["B"].GetProperty("sent").GetInt32(), variants["B"].GetProperty("reply_rate").GetDouble()));

        // The enrolments, page by page: each lead once.
        var seen = new List<Guid>();
        string? cursor = null;
        do
        {
            var page = await client.GetJson($"/api/cortex/sequences/{sequence}/enrollments?limit=5{(cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}")}");
            seen.AddRange(page.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("lead_id").GetGuid()));
            cursor = page.GetProperty("next_cursor").GetString();
        }
        while (cursor is not null);
        Assert.Equal(leads.Order(), seen.Order());
    }

    [Fact]
    public async Task An_email_Email_refuses_stops_the_enrolment_with_the_reason()
    {
        var (tenant, client, sequence, lead) = await Enrolled();
        var first = await app.NextEmail(tenant, lead, "Quick question about");
        await app.Bus.Bus.Publish(new EmailFailed(tenant, Guid.NewGuid(), lead, "lead@example.com", null, first.IdempotencyKey, first.CorrelationId, "no_consent",
            null, "The contact has not consented to marketing email.", DateTimeOffset.UtcNow));
        var stopped = await client.EnrollmentWhen(lead, sequence, e => e.GetProperty("status").GetString() == "stopped", "the refusal stops it");
        Assert.Equal("email_no_consent", stopped.GetProperty("stop_reason").GetString());
        var failed = Assert.Single(await client.SequenceLog(lead), l => l.GetProperty("outcome").GetString() == "failed");
        Assert.Contains("consented", failed.GetProperty("error").GetString());
    }

    [Fact]
    public async Task A_senders_daily_limit_and_stagger_spread_the_sends()
    {
        // The limit is per UTC day here: a run in the last seconds of one starts in the next.
        var toMidnight = DateTime.UtcNow.Date.AddDays(1) - DateTime.UtcNow;
        if (toMidnight < TimeSpan.FromSeconds(20))
            await Task.Delay(toMidnight + TimeSpan.FromSeconds(1));
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(new
        {
            name = "Capped",
            status = "active",
            settings = new { from_email = "rep@example.com", daily_limit = 2, stagger_seconds = 1.5, timezone = "UTC" },
            steps = new object[] { new { step_type = "email", subject = "Capped hello", body = "Hi" } },
        })).GetProperty("id").GetGuid();
        var leads = new List<Guid>();
        for (var i = 0; i < 4; i++)
            leads.Add(await app.KnownContact(tenant, $"C{i}"));
        await client.EnrollLeads(sequence, [.. leads]);

        var sends = await Eventually.Until(() => Task.FromResult(app.Bus.Received<SendEmail>().Where(s => s.TenantId == tenant).ToList()), s => s.Count == 2,
            TimeSpan.FromSeconds(20), "two emails go today");
        Assert.All(sends, s => Assert.Equal("rep@example.com", s.From));
        var enrollments = (await client.GetJson($"/api/cortex/sequences/{sequence}/enrollments")).GetProperty("items").EnumerateArray().ToList();
        // The other two wait for tomorrow's first slots (00:00 UTC, then 1.5 s later).
        var tomorrow = DateTime.UtcNow.Date.AddDays(1);
        var waiting = enrollments.Where(e => e.GetProperty("state").GetString() == "Waiting").Select(e => e.GetProperty("next_action_at").GetDateTime().ToUniversalTime())
            .Order().ToList();
        Assert.Equal([tomorrow, tomorrow.AddSeconds(1.5)], waiting);
        await Task.Delay(1000);
        Assert.Equal(2, app.Bus.Received<SendEmail>().Count(s => s.TenantId == tenant));
    }

    [Fact]
    public async Task Business_hours_move_a_due_time_to_the_next_opening_in_the_leads_zone_or_the_sequences()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        // A one-hour window that opens two hours from now in Tokyo, every day.
        var tokyo = TimeZoneInfo.FindSystemTimeZoneById("Asia/Tokyo");
        var localNow = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, tokyo);
        var opens = localNow.Hour + 2 >= 23 ? 1 : localNow.Hour + 2;
        var window = new { start = $"{opens:00}:00", end = $"{opens + 1:00}:00", days = Enum.GetNames<DayOfWeek>().Select(d => d.ToLowerInvariant()).ToArray() };
        var body = new
        {
            name = "Office hours",
            status = "active",
            settings = new { timezone = "America/New_York", business_hours = window, business_hours_only = true },
            steps = new object[] { new { step_type = "email", subject = "In hours", body = "Hello" } },
        };
        var sequence = (await client.CreateSequence(body)).GetProperty("id").GetGuid();
        var leadInTokyo = await app.KnownContact(tenant, "Kei", timezone: "Asia/Tokyo");
        var leadWithoutZone = await app.KnownContact(tenant, "Nia");
        await client.EnrollLeads(sequence, leadInTokyo, leadWithoutZone);

        var tokyoDue = (await client.EnrollmentWhen(leadInTokyo, sequence, e => e.GetProperty("state").GetString() == "Waiting", "it waits for Tokyo's hours"))
            .GetProperty("next_action_at").GetDateTime();
        var expectedDate = DateOnly.FromDateTime(localNow.DateTime).AddDays(localNow.Hour + 2 >= 23 ? 1 : 0);
        var expected = new DateTimeOffset(expectedDate.ToDateTime(new TimeOnly(opens, 0)), tokyo.GetUtcOffset(expectedDate.ToDateTime(new TimeOnly(opens, 0))));
        Assert.Equal(expected.UtcDateTime, tokyoDue.ToUniversalTime());

        // Without a zone of its own the lead is in the sequence's: the same local hour in New York.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var other = await client.EnrollmentWhen(leadWithoutZone, sequence, e => e.GetProperty("state").GetString() is "Waiting" or "Sending", "the other lead is enrolled");
        var nyLocal = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, newYork);
        if (other.GetProperty("state").GetString() == "Waiting")
        {
            var nyDue = TimeZoneInfo.ConvertTime(new DateTimeOffset(other.GetProperty("next_action_at").GetDateTime().ToUniversalTime()), newYork);
            Assert.Equal((opens, 0), (nyDue.Hour, nyDue.Minute));
        }
        else
            Assert.True(nyLocal.Hour == opens, "sent at once only inside New York's window");
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.ContactId == leadInTokyo);
    }
}
