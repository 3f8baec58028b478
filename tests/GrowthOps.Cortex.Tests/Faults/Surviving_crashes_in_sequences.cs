using System.Collections.Concurrent;
using GrowthOps.Contracts.Email;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Faults;

/// <summary>
/// Sequences on Cortex processes started by the tests (the in-process Cortex serves the API only): two replicas with one killed
/// with SIGKILL mid-flight send every step once; paused enrolments stay paused through a restart and resume where they were.
/// Email is played on the bus as the real one behaves: one send per idempotency key.
/// </summary>
public sealed class Surviving_crashes_in_sequences(WalkerlessCortexApp app) : IClassFixture<WalkerlessCortexApp>, IAsyncLifetime
{
    static readonly IReadOnlyDictionary<string, string?> DaysInSeconds = new Dictionary<string, string?>
    {
        ["Cortex:SequenceDelayScale"] = (1.0 / 86400).ToString("R", System.Globalization.CultureInfo.InvariantCulture),
    };

    readonly CancellationTokenSource stop = new();
    readonly ConcurrentDictionary<string, Guid> sent = new();
    Task? email;

    /// <summary>Answers each distinct SendEmail key once with EmailSent, as Email does.</summary>
    public Task InitializeAsync()
    {
        email = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                foreach (var send in app.Bus.Received<SendEmail>())
                    if (sent.TryAdd(send.IdempotencyKey, Guid.NewGuid()))
                        await app.Bus.Bus.Publish(new EmailSent(send.TenantId, sent[send.IdempotencyKey], send.ContactId, "lead@example.com", null, send.IdempotencyKey,
                            send.CorrelationId, "smtp", null, send.Subject ?? "", false, DateTimeOffset.UtcNow));
                await Task.Delay(50);
            }
        });
        return Task.CompletedTask;
    }

    public async Task DisposeAsync()
    {
        await stop.CancelAsync();
        await email!;
    }

    static object ThreeTouches => Touches(1);

    static object Touches(double secondDelayDays) => new
    {
        name = "Three touches",
        status = "active",
        steps = new object[]
        {
            new { step_type = "email", subject = "Touch 1", body = "One" },
            new { step_type = "email", subject = "Touch 2", body = "Two", delay_days = secondDelayDays },
            new { step_type = "email", subject = "Touch 3", body = "Three", delay_days = 1 },
        },
    };

    async Task<List<Guid>> Leads(Guid tenant, int count)
    {
        var leads = new List<Guid>();
        for (var i = 0; i < count; i++)
            leads.Add(await app.KnownContact(tenant, $"L{i}"));
        return leads;
    }

    [Fact]
    public async Task Two_replicas_one_killed_mid_flight_send_every_step_of_every_enrolment_once()
    {
        const int Count = 150;
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(ThreeTouches)).GetProperty("id").GetGuid();
        var leads = await Leads(tenant, Count);
        await using var survivor = app.StartReplica(DaysInSeconds);
        await using (var victim = app.StartReplica(DaysInSeconds))
        {
            await Task.WhenAll(survivor.WaitReadyAsync(), victim.WaitReadyAsync());
            foreach (var batch in leads.Chunk(50))
                await client.EnrollLeads(sequence, batch);
            await Eventually.Until(() => Task.FromResult(app.Bus.Received<SendEmail>().Count(s => s.TenantId == tenant)), n => n >= Count / 2,
                TimeSpan.FromSeconds(60), "the replicas are well under way");
            await victim.KillAsync();
        }

        var unfinished = await app.Database.ScalarAsync<long>(
            "select count(*) from cortex.lead_sequence_state where sequence_id = $1 and current_state <> 'Completed'", sequence);
        Assert.True(unfinished > 0, "the kill came before the end");
        var completed = await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from cortex.lead_sequence_state where sequence_id = $1 and current_state = 'Completed'", sequence), n => n == Count,
            TimeSpan.FromSeconds(120), $"the survivor completes every enrolment\n{survivor.Output}");
        Assert.Equal(Count, completed);
        // Every step of every enrolment: one key, one send logged; three distinct steps per lead.
        var sends = app.Bus.Received<SendEmail>().Where(s => s.TenantId == tenant).ToList();
        Assert.Equal(Count * 3, sends.Select(s => s.IdempotencyKey).Distinct().Count());
        Assert.All(sends.GroupBy(s => s.ContactId), g => Assert.Equal(3, g.Select(s => s.Subject).Distinct().Count()));
        var logged = await app.Database.ScalarAsync<long>("""
            select count(*) from (select enrollment_id, step_id from cortex.sequence_execution_log
                                   where sequence_id = $1 and action = 'send_email' and outcome = 'success' group by 1, 2 having count(*) = 1) once
            """, sequence);
        Assert.Equal(Count * 3, logged);
        Assert.Equal(Count * 3, await app.Database.ScalarAsync<long>("select count(*) from cortex.sequence_messages where sequence_id = $1", sequence));
    }

    [Fact]
    public async Task Paused_enrolments_stay_paused_through_a_restart_and_resume_where_they_were()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var sequence = (await client.CreateSequence(Touches(6))).GetProperty("id").GetGuid();
        var leads = await Leads(tenant, 10);
        await using (var first = app.StartReplica(DaysInSeconds))
        {
            await first.WaitReadyAsync();
            await client.EnrollLeads(sequence, [.. leads]);
            await Eventually.Until(() => app.Database.ScalarAsync<long>(
                    "select count(*) from cortex.lead_sequence_state where sequence_id = $1 and current_state = 'Waiting' and (data ->> 'emailsSent')::int = 1",
                    sequence), n => n == 10, TimeSpan.FromSeconds(60), $"every lead got touch 1 and waits\n{first.Output}");
            foreach (var lead in leads)
                await (await client.Post($"/api/cortex/leads/{lead}/pause-sequence", new { reason = "maintenance" })).Expect(System.Net.HttpStatusCode.Accepted);
            await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from cortex.lead_sequence_state where sequence_id = $1 and current_state = 'Paused'", sequence), n => n == 10,
                TimeSpan.FromSeconds(30), "every enrolment pauses");
            await first.KillAsync();
        }

        await using var second = app.StartReplica(DaysInSeconds);
        await second.WaitReadyAsync();
        // Well past touch 2's due time (6 "days" of a second each: the pauses land before it under any load): nothing goes while
        // paused, restart or not.
        var due = await app.Database.ScalarAsync<DateTime>(
            "select max((data ->> 'nextActionAt')::timestamptz) from cortex.lead_sequence_state where sequence_id = $1", sequence);
        var wait = due.ToUniversalTime() - DateTime.UtcNow + TimeSpan.FromSeconds(1);
        if (wait > TimeSpan.Zero)
            await Task.Delay(wait);
        Assert.DoesNotContain(app.Bus.Received<SendEmail>(), s => s.TenantId == tenant && s.Subject == "Touch 2");
        foreach (var lead in leads)
            await (await client.Post($"/api/cortex/leads/{lead}/resume-sequence", new { })).Expect(System.Net.HttpStatusCode.Accepted);
        await Eventually.Until(() => app.Database.ScalarAsync<long>(
                "select count(*) from cortex.lead_sequence_state where sequence_id = $1 and current_state = 'Completed'", sequence), n => n == 10,
            TimeSpan.FromSeconds(60), $"every enrolment resumes and completes\n{second.Output}");
        var sends = app.Bus.Received<SendEmail>().Where(s => s.TenantId == tenant).ToList();
        Assert.Equal(30, sends.Select(s => s.IdempotencyKey).Distinct().Count());
        Assert.All(sends.GroupBy(s => s.ContactId), g => Assert.Equal(["Touch 1", "Touch 2", "Touch 3"], g.Select(s => s.Subject).Distinct().Order()));
    }
}
