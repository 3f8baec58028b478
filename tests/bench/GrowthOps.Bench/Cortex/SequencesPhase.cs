using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using Dapper;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Bench.Messaging;
using static GrowthOps.Bench.Infrastructure.BenchOutput;

namespace GrowthOps.Bench.Cortex;

/// <summary>
/// <c>--phases sequences</c>: 50,000 enrolments (through the API's bulk enrol, the saga on the durable scheduler) wait in a
/// one-day delay; their timeouts are re-timed in SQL to fall within one minute starting 20 s later. Each due step then runs
/// the saga's advance: the delay completes, a condition is evaluated and an email step publishes its SendEmail (to the
/// outbox; no Email service here), the enrolment moving to Sending. Figures: steps per second (three steps per advance),
/// lateness of due steps (the delay's completion in the execution log minus its due time), beside the inbox consume rate
/// measured in the same run.
/// </summary>
static class SequencesPhase
{
    public static async Task RunAsync(string[] args, BenchDatabase database, InProcessCortex service, CancellationToken ct)
    {
        var count = BenchArgs.Int(args, "--enrolments", 50_000);
        var tenant = Guid.NewGuid();
        using var client = service.ClientFor(tenant);
        await using var admin = await database.OpenProbeAsync(ct);
        // Cortex's copy of the contacts, as Leads' events would have filled it.
        await admin.ExecuteAsync("""
            insert into cortex.contacts (tenant_id, id, version, snapshot)
            select @tenant, id, 1, jsonb_build_object('id', id, 'email', id::text || '@example.com', 'kind', 'lead', 'first_name', 'Bench', 'tags', '[]'::jsonb,
                   'marketing_consent', true, 'created_at', now(), 'updated_at', now())
              from (select gen_random_uuid() as id from generate_series(1, @count)) c
            """, new { tenant, count }, commandTimeout: 0);
        var leads = (await admin.QueryAsync<Guid>("select id from cortex.contacts where tenant_id = @tenant", new { tenant })).ToList();
        var created = await client.PostAsJsonAsync("/api/cortex/sequences", new
        {
            name = "Bench sequence",
            status = "active",
            steps = new object[]
            {
                new { step_type = "delay", delay_days = 1 },
                new { step_type = "condition", conditions = new[] { "if_replied" }, then = "stop", @else = "continue" },
                new { step_type = "email", subject = "Hello {{first_name}}", body = "Hi {{name}}, a quick question." },
            },
        }, ct);
        created.EnsureSuccessStatusCode();
        var sequence = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();

        var setup = Stopwatch.StartNew();
        Progress($"sequences: enrolling {count:N0} leads in batches of 5,000");
        foreach (var batch in leads.Chunk(5000))
        {
            var enrolled = await client.PostAsJsonAsync("/api/cortex/leads/enroll-in-sequence", new { sequence_id = sequence, lead_ids = batch }, ct);
            if (!enrolled.IsSuccessStatusCode)
                throw new InvalidOperationException($"enrol: {(int)enrolled.StatusCode} {await enrolled.Content.ReadAsStringAsync(ct)}");
        }

        var enrolCall = setup.Elapsed;
        await Poll.UntilAsync(async () =>
            {
                var waiting = await BenchDatabase.CountAsync(admin, $"select count(*) from cortex.lead_sequence_state where sequence_id = '{sequence}' and current_state = 'Waiting'", ct);
                Progress($"sequences: {waiting:N0} of {count:N0} enrolments waiting");
                return waiting;
            }, w => w >= count, TimeSpan.FromSeconds(Math.Max(600, count / 20)), $"{count} enrolments waiting", ct, 5000);
        Note($"sequences setup: {count:N0} enrolled through the API in {enrolCall.TotalSeconds:F1} s and waiting in their delay after " +
             $"{setup.Elapsed.TotalSeconds:F0} s ({count / setup.Elapsed.TotalSeconds:F0} enrolments/s: saga insert, log, scheduled timeout each)");

        var start = DateTime.UtcNow.AddSeconds(20);
        await admin.ExecuteAsync("""
            create table public.bench_sequence_dues as
            select s.token_id, (s.body::jsonb->'message'->>'enrollmentId')::uuid as enrollment_id,
                   @start + ((row_number() over (order by s.token_id) - 1) * 60000.0 / count(*) over ()) * interval '1 millisecond' as due
              from cortex.scheduled_message s where not s.cancelled and s.message_type like '%SequenceStepDue%';
            update cortex.scheduled_message s set scheduled_time = d.due from public.bench_sequence_dues d where s.token_id = d.token_id;
            """, new { start }, commandTimeout: 0);
        var retimed = await BenchDatabase.CountAsync(admin, "select count(*) from public.bench_sequence_dues", ct);
        Progress($"sequences: {retimed:N0} due steps re-timed into the minute from {start:HH:mm:ss}");
        var cpu = CpuSampler.Start();
        await Poll.UntilAsync(async () =>
            {
                var done = await BenchDatabase.CountAsync(admin, $"select count(*) from cortex.lead_sequence_state where sequence_id = '{sequence}' and current_state = 'Sending'", ct);
                Progress($"sequences: {done:N0} of {count:N0} enrolments advanced to their email");
                return done;
            }, d => d >= count, TimeSpan.FromMinutes(30), $"{count} enrolments advanced", ct, 5000);
        var lateness = (await admin.QueryAsync<double>("""
            select extract(epoch from (l.created_at - d.due))::float8 from cortex.sequence_execution_log l
              join public.bench_sequence_dues d on d.enrollment_id = l.enrollment_id
             where l.action = 'delay' and l.outcome = 'success'
            """, commandTimeout: 0)).Order().ToArray();
        var last = await admin.QuerySingleAsync<DateTime>("""
            select max(l.created_at) from cortex.sequence_execution_log l where l.sequence_id = @sequence and l.action = 'send_email'
            """, new { sequence });
        var seconds = Math.Max(0.001, (last - start).TotalSeconds);
        var advances = lateness.Length / seconds;
        var report = cpu.Report();

        Progress("sequences: the inbox's own consume rate, same machine, same run");
        var inbox = await MessagingBenchmark.InboxDrainAsync(20_000, 32, 16, 600, ct);
        Figure("cortex_sequence_steps", advances * 3, "steps/s");
        Figure("cortex_sequence_advances", advances, "enrolments/s");
        Figure("cortex_sequence_lateness_p50", BenchStats.Percentile(lateness, 0.5), "s", 3);
        Figure("cortex_sequence_lateness_p99", BenchStats.Percentile(lateness, 0.99), "s", 3);
        Figure("cortex_sequence_inbox_consume", inbox, "msg/s");
        Figure("cortex_sequence_advances_ratio", advances / inbox, "ratio", 2);
        Note($"sequences: {lateness.Length:N0} of {retimed:N0} due steps ran, due over 60 s from {start:HH:mm:ss} ({retimed / 60.0:F0}/s asked); each advance " +
             $"= the due timeout consumed, the saga locked and saved, the steps read, delay + condition + email (SendEmail into the outbox), four log lines; " +
             $"the last sent {F(seconds, 1)} s after the first was due; max lateness {F(lateness.LastOrDefault(), 1)} s; {report}");
    }
}
