using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Bench.Messaging;
using GrowthOps.Contracts.Cortex;
using GrowthOps.Contracts.Leads;
using GrowthOps.Cortex.Domain.Graph;
using GrowthOps.Cortex.Domain.Runs;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;
using static GrowthOps.Bench.Infrastructure.BenchOutput;

namespace GrowthOps.Bench.Cortex;

/// <summary>
/// <c>./growthops bench cortex</c>, the Cortex service in process on its own database and virtual host:
/// 1. trigger evaluation with 1,000 active workflows over 50 event types (each with a filter), one event per transaction as
///    the watcher's consumer runs it, beside the trigger index lookup alone in the same kind of transaction;
/// 2. trigger events consumed (matched, runs started) per second off the bus, beside the inbox consume rate of the same run;
/// 3. 100,000 runs waiting in delays, their wake-ups all due within one minute: how late each fires (p50/p99);
/// 4. 50,000 sequence enrolments advancing, their due steps within one minute (<see cref="SequencesPhase"/>).
/// </summary>
sealed class CortexBenchmark : IBenchmark
{
    static readonly string[] Types = NodeCatalog.TriggerTypes
        .Where(t => !t.StartsWith("schedule.", StringComparison.Ordinal) && t is not ("webhook.received" or "workflow.started" or "custom.event"))
        .Order(StringComparer.Ordinal).Take(50).ToArray();

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var phases = BenchArgs.Text(args, "--phases", "trigger,throughput,delays,sequences").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Note($"machine: {Environment.ProcessorCount} cores, load average {CpuSampler.LoadAverage()} at the start; phases {string.Join(", ", phases)}");
        await using var database = await BenchDatabase.CreateAsync("cortex", "cortex", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("cortex", ct);
        await using var service = await InProcessCortex.StartAsync(database, vhost, ct);
        var tenant = Guid.NewGuid();
        var failed = 0;
        if (phases.Contains("trigger") || phases.Contains("throughput"))
            await WorkflowsAsync(service, tenant, BenchArgs.Int(args, "--workflows", 1000), ct);
        if (phases.Contains("trigger"))
            failed += await BenchWebApps.RunPhaseAsync("trigger", () => TriggerAsync(args, service, tenant, ct));
        if (phases.Contains("throughput"))
            failed += await BenchWebApps.RunPhaseAsync("throughput", async () =>
            {
                await using (var admin = await database.OpenProbeAsync(ct))
                    await DrainAsync(admin, ct);
                // Matching and starting runs, as the metric asks: a Cortex without the walker on a database and vhost of its own,
                // so the runs' steps (the walker's work, measured by the delays phase) do not share the window.
                await using var matchDb = await BenchDatabase.CreateAsync("cortexmatch", "cortex", ct);
                await using var matchHost = await BenchVirtualHost.CreateAsync("cortexmatch", ct);
                await using var watcherOnly = await InProcessCortex.StartAsync(matchDb, matchHost, ct, walker: false);
                var matchTenant = Guid.NewGuid();
                await WorkflowsAsync(watcherOnly, matchTenant, BenchArgs.Int(args, "--workflows", 1000), ct);
                await ThroughputAsync(args, matchDb, matchHost, matchTenant, ct);
            });
        if (phases.Contains("delays"))
            failed += await BenchWebApps.RunPhaseAsync("delays", async () =>
            {
                await using var admin = await database.OpenProbeAsync(ct);
                await DrainAsync(admin, ct);
                await DelaysAsync(args, database, vhost, service, ct);
            });
        if (phases.Contains("sequences"))
            failed += await BenchWebApps.RunPhaseAsync("sequences", async () =>
            {
                await using var admin = await database.OpenProbeAsync(ct);
                await DrainAsync(admin, ct);
                await SequencesPhase.RunAsync(args, database, service, ct);
            });
        Note($"load average {CpuSampler.LoadAverage()} at the end");
        return failed == 0 ? 0 : 1;
    }

    static object Graph(string trigger, object? filter, object second) => new
    {
        nodes = new object[]
        {
            new { id = "t1", type = "trigger", position = new { x = 0, y = 0 }, data = new { trigger_type = trigger, filter } },
            second,
            new { id = "a1", type = "action", position = new { x = 0, y = 200 }, data = new { action_type = "add_tag", config = new { tag = "bench" } } },
        },
        edges = new object[] { new { id = "e1", source = "t1", target = "n2" }, new { id = "e2", source = "n2", target = "a1" } },
    };

    static async Task<Guid> CreateAsync(HttpClient client, string name, object graph, CancellationToken ct)
    {
        var created = await client.PostAsJsonAsync("/api/cortex/workflows", new { name, graph, reentry = "always" }, ct);
        created.EnsureSuccessStatusCode();
        var id = (await created.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid();
        var published = await client.PostAsync($"/api/cortex/workflows/{id}/publish", null, ct);
        if (!published.IsSuccessStatusCode)
            throw new InvalidOperationException($"publish: {(int)published.StatusCode} {await published.Content.ReadAsStringAsync(ct)}");
        return id;
    }

    /// <summary>1,000 active workflows: 20 per event type, each with a filter on the event's amount that about 1 in 10 events pass.</summary>
    static async Task WorkflowsAsync(InProcessCortex service, Guid tenant, int count, CancellationToken ct)
    {
        Progress($"creating and publishing {count} workflows through the API");
        using var client = service.ClientFor(tenant);
        var started = Stopwatch.StartNew();
        await InParallelAsync(count, 8, async (i, token) =>
        {
            var threshold = i * 7919 % 1000;
            var filter = new[] { new { field = "event.amount", @operator = "greater_than", value = threshold } };
            var second = new { id = "n2", type = "action", position = new { x = 0, y = 100 },
                data = new { action_type = "update_field", config = new { field = "last_order_amount", value = "{{event.amount}}" } } };
            await CreateAsync(client, $"bench {i}", Graph(Types[i % Types.Length], filter, second), token);
        }, ct);
        Note($"setup: {count} workflows over {Types.Length} event types created and published in {started.Elapsed.TotalSeconds:F1} s " +
             "(trigger with a filter event.amount > threshold, an update_field, an add_tag)");
    }

    static TriggerEvent Event(Random random) =>
        new(Guid.CreateVersion7(), Types[random.Next(Types.Length)], Guid.NewGuid(), new JsonObject { ["amount"] = random.Next(200) }, DateTimeOffset.UtcNow);

    /// <summary>The watcher's work per event in its own transaction: the index lookup, each filter, re-entry, the runs it starts.</summary>
    static async Task TriggerAsync(string[] args, InProcessCortex service, Guid tenant, CancellationToken ct)
    {
        var events = BenchArgs.Int(args, "--events", 3000);
        var random = new Random(11);
        var evaluation = new List<double>(events);
        var unmatched = new List<double>(events);
        var lookup = new List<double>(events);
        var started = 0;
        var cpu = CpuSampler.Start();
        for (var i = -300; i < events; i++)
        {
            // Every other event passes no filter: the evaluation alone (lookup, 20 filters), no run started.
            var e = i % 2 == 0 ? Event(random) : Event(random) with { Payload = new JsonObject { ["amount"] = -1 } };
            await using (var scope = service.Services.CreateAsyncScope())
            {
                var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
                await unitOfWork.BeginAsync(tenant, ct);
                var t0 = Stopwatch.GetTimestamp();
                var n = await scope.ServiceProvider.GetRequiredService<Watcher>()
                    .HandleAsync(tenant, e, scope.ServiceProvider.GetRequiredService<ISendEndpointProvider>(), ct);
                var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                await unitOfWork.CommitAsync(ct);
                if (i >= 0)
                {
                    (i % 2 == 0 ? evaluation : unmatched).Add(ms);
                    started += n;
                }
            }

            // The physical limit beside it: the index lookup alone, in the same kind of transaction.
            await using (var scope = service.Services.CreateAsyncScope())
            {
                var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
                await unitOfWork.BeginAsync(tenant, ct);
                var t0 = Stopwatch.GetTimestamp();
                await unitOfWork.Connection.QueryAsync<(Guid, int, string?)>(unitOfWork.Command(
                    "select workflow_id, version, filter::text from cortex.workflow_triggers where tenant_id = cortex.current_tenant() and event_type = @type",
                    new { type = e.Type }, ct));
                var ms = Stopwatch.GetElapsedTime(t0).TotalMilliseconds;
                await unitOfWork.CommitAsync(ct);
                if (i >= 0)
                    lookup.Add(ms);
            }
        }

        var sorted = evaluation.Order().ToArray();
        var raw = lookup.Order().ToArray();
        Figure("cortex_trigger_evaluation_p50", BenchStats.Percentile(sorted, 0.5), "ms", 2);
        Figure("cortex_trigger_evaluation_p99", BenchStats.Percentile(sorted, 0.99), "ms", 2);
        var none = unmatched.Order().ToArray();
        Figure("cortex_trigger_evaluation_no_match_p99", BenchStats.Percentile(none, 0.99), "ms", 2);
        Figure("cortex_trigger_index_lookup_sql_p99", BenchStats.Percentile(raw, 0.99), "ms", 2);
        Note($"trigger: {events} events against {Types.Length} types × 20 workflows, half of them passing no filter (no_match: p50 " +
             $"{F(BenchStats.Percentile(none, 0.5), 2)} ms); {started} runs started ({started / (double)evaluation.Count:F2} per matching event, " +
             $"each a run insert and its first step into the outbox, inside the timing); lookup alone p50 {F(BenchStats.Percentile(raw, 0.5), 2)} ms; " +
             $"target p99 < 5 ms {(BenchStats.Percentile(sorted, 0.99) < 5 ? "met" : "MISSED")}; {cpu.Report()}");
    }

    /// <summary>Trigger events off the bus (behind the inbox, in the service as deployed) against the inbox's own consume rate.</summary>
    static async Task ThroughputAsync(string[] args, BenchDatabase database, BenchVirtualHost vhost, Guid tenant, CancellationToken ct)
    {
        var n = BenchArgs.Int(args, "--bus-events", 5000);
        using var publisher = BenchHosts.PlainBus(vhost.Name, publisherConfirmation: false);
        await publisher.StartAsync(ct);
        var bus = publisher.Services.GetRequiredService<IBus>();
        var random = new Random(5);
        var payloads = Enumerable.Range(0, n).Select(_ => (Type: Types[random.Next(Types.Length)], Amount: random.Next(200))).ToArray();
        await using var admin = await database.OpenProbeAsync(ct);
        var before = await BenchDatabase.CountAsync(admin, "select count(*) from cortex.inbox_state where consumer like '%TriggerEvents%'", ct);
        var runsBefore = await BenchDatabase.CountAsync(admin, "select count(*) from cortex.workflow_runs", ct);
        var cpu = CpuSampler.Start();
        Progress($"throughput: publishing {n} activities");
        await InParallelAsync(n, 100, (i, token) => bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), Guid.NewGuid(), null, payloads[i].Type,
            new Dictionary<string, JsonElement> { ["amount"] = JsonSerializer.SerializeToElement(payloads[i].Amount) }, DateTimeOffset.UtcNow), token), ct);
        await Poll.UntilAsync(() => BenchDatabase.CountAsync(admin, "select count(*) from cortex.inbox_state where consumer like '%TriggerEvents%'", ct),
            c => c >= before + n, TimeSpan.FromMinutes(10), $"{n} trigger events consumed", ct, 200);
        var window = await admin.QuerySingleAsync<(DateTime First, DateTime Last)>(
            $"select min(received), max(received) from (select received from cortex.inbox_state where consumer like '%TriggerEvents%' order by received desc limit {n}) r");
        var seconds = Math.Max(0.001, (window.Last - window.First).TotalSeconds);
        var runs = await BenchDatabase.CountAsync(admin, "select count(*) from cortex.workflow_runs", ct) - runsBefore;
        var rate = n / seconds;
        Note($"throughput cortex (watcher only): {n} events in {F(seconds, 2)} s, {runs} runs started ({F(runs / seconds)} runs/s), each a run row and " +
             $"its first step in the outbox; {cpu.Report()}; {cpu.PerOperation(n)}");
        await BenchHosts.StopQuietlyAsync(publisher);

        Progress("throughput: the inbox's own consume rate, same machine, same run");
        var inbox = await MessagingBenchmark.InboxDrainAsync(n, 32, 16, 600, ct);
        Figure("cortex_trigger_events", rate, "events/s");
        Figure("cortex_runs_started", runs / seconds, "runs/s");
        Figure("cortex_inbox_consume", inbox, "msg/s");
        Figure("cortex_trigger_events_ratio", rate / inbox, "ratio", 2);
        Note($"throughput: target ratio >= 0.5 {(rate / inbox >= 0.5 ? "met" : "MISSED")}");
    }

    /// <summary>
    /// Runs reach a delay through the real path (StartWorkflow → trigger step → delay step → scheduled wake-up, one day out);
    /// then their wake-ups are re-timed in SQL to fall within one minute starting 20 s later, and each run's lateness is its
    /// "Resumed after the delay" log time minus the time it was due.
    /// </summary>
    static async Task DelaysAsync(string[] args, BenchDatabase database, BenchVirtualHost vhost, InProcessCortex service, CancellationToken ct)
    {
        var count = BenchArgs.Int(args, "--delays", 100_000);
        var tenant = Guid.NewGuid();
        using var client = service.ClientFor(tenant);
        var workflows = new List<Guid>();
        for (var i = 0; i < 10; i++)
            workflows.Add(await CreateAsync(client, $"delay {i}", Graph("workflow.started", null,
                new { id = "n2", type = "delay", position = new { x = 0, y = 100 }, data = new { duration = new { amount = 1, unit = "days" } } }), ct));
        using var publisher = BenchHosts.PlainBus(vhost.Name, publisherConfirmation: true);
        await publisher.StartAsync(ct);
        var bus = publisher.Services.GetRequiredService<IBus>();
        await using var admin = await database.OpenProbeAsync(ct);
        var setup = Stopwatch.StartNew();
        Progress($"delays: starting {count:N0} runs into their delay");
        await InParallelAsync(count, 50, (i, token) => bus.Publish(new StartWorkflow(tenant, workflows[i % workflows.Count], Guid.NewGuid(), "bench", null,
            DateTimeOffset.UtcNow), token), ct);
        await Poll.UntilAsync(async () =>
            {
                var waiting = await BenchDatabase.CountAsync(admin, $"select count(*) from cortex.workflow_runs where tenant_id = '{tenant}' and status = 'waiting'", ct);
                Progress($"delays: {waiting:N0} of {count:N0} runs waiting");
                return waiting;
            }, w => w >= count, TimeSpan.FromSeconds(Math.Max(600, count / 20)), $"{count} runs waiting", ct, 5000);
        Note($"delays setup: {count:N0} runs started and waiting in {setup.Elapsed.TotalSeconds:F0} s ({count / setup.Elapsed.TotalSeconds:F0} runs/s, " +
             "three consumed messages each: StartWorkflow, the trigger step, the delay step)");
        await BenchHosts.StopQuietlyAsync(publisher);

        var start = DateTime.UtcNow.AddSeconds(20);
        await admin.ExecuteAsync("""
            create table public.bench_dues as
            select s.token_id, (s.body::jsonb->'message'->>'runId')::uuid as run_id,
                   @start + ((row_number() over (order by s.token_id) - 1) * 60000.0 / count(*) over ()) * interval '1 millisecond' as due
              from cortex.scheduled_message s where not s.cancelled and s.message_type like '%ExecuteStep%';
            update cortex.scheduled_message s set scheduled_time = d.due from public.bench_dues d where s.token_id = d.token_id;
            """, new { start }, commandTimeout: 0);
        var retimed = await BenchDatabase.CountAsync(admin, "select count(*) from public.bench_dues", ct);
        Progress($"delays: {retimed:N0} wake-ups re-timed into the minute from {start:HH:mm:ss}");
        var cpu = CpuSampler.Start();
        await Poll.UntilAsync(async () =>
            {
                var done = await BenchDatabase.CountAsync(admin, $"select count(*) from cortex.workflow_runs where tenant_id = '{tenant}' and status = 'completed'", ct);
                Progress($"delays: {done:N0} of {count:N0} runs completed");
                return done;
            }, d => d >= count, TimeSpan.FromMinutes(30), $"{count} runs completed", ct, 5000);
        var lateness = (await admin.QueryAsync<double>("""
            select extract(epoch from (l.at - d.due))::float8 from cortex.workflow_run_logs l join public.bench_dues d on d.run_id = l.run_id
             where l.message = 'Resumed after the delay'
            """, commandTimeout: 0)).Order().ToArray();
        var last = await admin.QuerySingleAsync<DateTime>("select max(l.at) from cortex.workflow_run_logs l join public.bench_dues d on d.run_id = l.run_id where l.message = 'Resumed after the delay'");
        Figure("cortex_delay_firing_error_p50", BenchStats.Percentile(lateness, 0.5), "s", 3);
        Figure("cortex_delay_firing_error_p99", BenchStats.Percentile(lateness, 0.99), "s", 3);
        Figure("cortex_delay_resumes", lateness.Length / Math.Max(0.001, (last - start).TotalSeconds), "resumes/s");
        Note($"delays: {lateness.Length:N0} resumes of {retimed:N0} due from {start:HH:mm:ss} over 60 s ({retimed / 60.0:F0}/s asked); max lateness " +
             $"{F(lateness.LastOrDefault(), 1)} s; the last resumed {F((last - start).TotalSeconds, 1)} s after the first was due; target p99 < 1 s " +
             $"{(BenchStats.Percentile(lateness, 0.99) < 1 ? "met" : "MISSED")}; {cpu.Report()}");
    }

    /// <summary>Waits until no run of any phase before is still running (their steps would load the next measurement).</summary>
    static Task DrainAsync(NpgsqlConnection admin, CancellationToken ct) =>
        Poll.UntilAsync(() => BenchDatabase.CountAsync(admin, "select count(*) from cortex.workflow_runs where status = 'running'", ct), n => n == 0,
            TimeSpan.FromMinutes(10), "the runs started so far to finish", ct, 500);

    static Task InParallelAsync(int count, int parallelism, Func<int, CancellationToken, Task> work, CancellationToken ct) =>
        MessagingBenchmark.InParallelAsync(count, parallelism, work, ct);
}
