using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Contracts.Email;

namespace GrowthOps.Cortex.Tests.Infrastructure;

/// <summary>
/// Cortex with sequence waits scaled so that a day lasts a second (the seed's example runs in seconds), and the commands
/// sequences send collected. Email is played by the tests on the real bus (the end-to-end tests run the real Email).
/// </summary>
public sealed class SequencesApp : CortexApp
{
    public const double DaySeconds = 1;

    protected override Type[] Collect =>
    [
        .. base.Collect, typeof(GrowthOps.Contracts.Leads.Commands.ChangeLeadState), typeof(GrowthOps.Contracts.Leads.Commands.AssignOwner),
        typeof(GrowthOps.Contracts.Leads.Commands.RemoveTag), typeof(GrowthOps.Contracts.Segments.RemoveFromSegment),
    ];

    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Cortex:SequenceDelayScale"] = (DaySeconds / 86400).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
        ["Messaging:SchedulerPollInterval"] = "00:00:00.100",
    };
}

public static class SequenceFixtures
{
    /// <summary>The seed's "Cold Outreach Sequence", as written (the interested follow-up is step 9, the breakup step 7).</summary>
    public static object ColdOutreach(string status = "active", object? settings = null) => new
    {
        name = "Cold Outreach Sequence",
        description = "The seed's example",
        status,
        settings,
        steps = new object[]
        {
            new { step_type = "email", name = "Intro", subject = "Quick question about {{company}}", body = "Hi {{name}}, I noticed...", delay_days = 0 },
            new { step_type = "delay", delay_days = 3 },
            new { step_type = "condition", condition_type = "if_replied", then = "stop", stop_reason = "qualified", mark_qualified = true, @else = "continue" },
            new { step_type = "email", name = "Follow-up", subject = "Following up - {{company}}", body = "Hi {{name}}, just circling back...", delay_days = 0 },
            new { step_type = "delay", delay_days = 4 },
            new { step_type = "condition", conditions = new[] { "if_replied", "if_opened" }, then = 9, @else = 7 },
            new { step_type = "email", name = "Breakup", subject = "Last email from me", body = "Hi {{name}}, I understand you're busy...", delay_days = 0 },
            new { step_type = "action", action_type = "update_status", action_value = new { status = "unresponsive" }, next_step = "complete" },
            new { step_type = "email", name = "Interested follow-up", subject = "Glad it caught your eye, {{name}}", body = "Hi {{name}}, shall we talk this week?" },
        },
    };

    public static async Task<JsonElement> CreateSequence(this HttpClient client, object body) =>
        await (await client.Post("/api/cortex/sequences", body)).Expect(HttpStatusCode.Created);

    public static Task<HttpResponseMessage> Put(this HttpClient client, string url, object body) => client.PutAsJsonAsync(url, body, CortexApp.Json);

    public static async Task<JsonElement> EnrollLeads(this HttpClient client, Guid sequence, params Guid[] leads) =>
        await (await client.Post("/api/cortex/leads/enroll-in-sequence", new { sequence_id = sequence, lead_ids = leads })).Expect(HttpStatusCode.Accepted);

    /// <summary>The lead's enrolment in the sequence, once <paramref name="until"/> holds.</summary>
    public static Task<JsonElement> EnrollmentWhen(this HttpClient client, Guid lead, Guid sequence, Func<JsonElement, bool> until, string what,
        double seconds = 30) =>
        Eventually.Until(async () => (await client.GetJson($"/api/cortex/leads/{lead}/sequence-state")).EnumerateArray()
                .FirstOrDefault(e => e.GetProperty("sequence_id").GetGuid() == sequence),
            e => e.ValueKind == JsonValueKind.Object && until(e), TimeSpan.FromSeconds(seconds), what);

    /// <summary>Plays Email: the send went out, under a new message id (returned).</summary>
    public static async Task<Guid> Sent(this CortexApp app, SendEmail send)
    {
        var id = Guid.NewGuid();
        await app.Bus.Bus.Publish(new EmailSent(send.TenantId, id, send.ContactId, "lead@example.com", null, send.IdempotencyKey, send.CorrelationId, "smtp",
            null, send.Subject ?? "", false, DateTimeOffset.UtcNow));
        return id;
    }

    /// <summary>The sequence's next email to the lead: the SendEmail whose subject starts so (each send once).</summary>
    public static Task<SendEmail> NextEmail(this CortexApp app, Guid tenant, Guid lead, string subjectStart, double seconds = 30) =>
        app.Bus.WaitFor<SendEmail>(s => s.TenantId == tenant && s.ContactId == lead && s.Subject!.StartsWith(subjectStart, StringComparison.Ordinal),
            TimeSpan.FromSeconds(seconds));

    public static async Task<List<JsonElement>> SequenceLog(this HttpClient client, Guid lead) =>
        (await client.GetJson($"/api/cortex/leads/{lead}/sequence-log?limit=200")).GetProperty("items").EnumerateArray().ToList();
}
