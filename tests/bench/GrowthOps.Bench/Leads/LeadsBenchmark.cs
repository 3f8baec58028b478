using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Contracts.Leads;
using GrowthOps.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace GrowthOps.Bench.Leads;

/// <summary>
/// <c>./growthops bench leads</c>: lead transitions per second through the gateway (JWT, rate limiter, YARP) into the
/// Leads service (validation, history, contact update and LeadStateChanged through the outbox, in one transaction), with
/// p50/p99 latency, and the rate at which LeadStateChanged reaches a consumer on the bus. Leads and the gateway run as
/// their own processes, built in Release, as <c>./growthops up</c> runs them.
/// </summary>
sealed class LeadsBenchmark : IBenchmark
{
    const string SigningKey = "growthops-bench-signing-key-0123456789abcdefghij";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var contactsCount = BenchArgs.Int(args, "--contacts", 400);
        var workers = BenchArgs.Int(args, "--workers", 32);
        var duration = TimeSpan.FromSeconds(BenchArgs.Int(args, "--seconds", 15));
        var warmup = TimeSpan.FromSeconds(BenchArgs.Int(args, "--warmup", 20));
        var pathName = BenchArgs.Text(args, "--path", "pipeline");
        var path = Paths.TryGetValue(pathName, out var p) ? p : throw new ArgumentException($"--path is one of {string.Join(", ", Paths.Keys)}.");
        var root = BenchBuilds.RepositoryRoot();
        var leadsDll = BenchBuilds.Built(root, "services/Leads/GrowthOps.Leads", "GrowthOps.Leads.dll");
        var gatewayDll = BenchBuilds.Built(root, "gateway/GrowthOps.Gateway", "GrowthOps.Gateway.dll");

        BenchOutput.Note($"machine: {Environment.ProcessorCount} cores; leads bench: {contactsCount} contacts, {workers} concurrent clients, {duration.TotalSeconds:F0} s after {warmup.TotalSeconds:F0} s warm-up, path {pathName}: {string.Join(" → ", path)} → {path[0]}");
        await using var database = await BenchDatabase.CreateAsync("leads", "leads", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("leads", ct);

        var received = new ConcurrentQueue<(DateTimeOffset OccurredAt, long ReceivedTicks)>();
        using var consumerHost = BenchHosts.PlainBus(vhost.Name, publisherConfirmation: true,
            x => x.AddConsumer<StateChangedCounter>().Endpoint(e => e.Name = "bench-lead-state-changed"),
            services: s => s.AddSingleton(received));
        await consumerHost.StartAsync(ct);

        await using var leads = ChildProcess.Start(leadsDll, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["ConnectionStrings:Postgres"] = database.ServiceConnectionString,
            ["RabbitMq:Host"] = BenchEnvironment.RabbitHost,
            ["RabbitMq:Port"] = BenchEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = vhost.Name,
            ["RabbitMq:Username"] = BenchEnvironment.RabbitUser,
            ["RabbitMq:Password"] = BenchEnvironment.RabbitPassword,
            ["Auth:SigningKey"] = SigningKey,
            ["Leads:SecretsKey"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("growthops-bench-secrets-key-32by")),
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await leads.WaitReadyAsync();
        await using var gateway = ChildProcess.Start(gatewayDll, new Dictionary<string, string?>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["Auth:SigningKey"] = SigningKey,
            ["ReverseProxy:Clusters:leads:Destinations:d1:Address"] = leads.BaseAddress.ToString(),
            // The benchmark measures throughput, not the per-tenant quota.
            ["RateLimiting:PerTenant:PermitsPerPeriod"] = "1000000",
            ["RateLimiting:PerTenant:Burst"] = "1000000",
            ["Logging:LogLevel:Default"] = "Warning",
        });
        await gateway.WaitReadyAsync();
        CpuSampler.NameProcess(leads.Id, "leads");
        CpuSampler.NameProcess(gateway.Id, "gateway");
        CpuSampler.TrackDatabase(database.Name);

        var tenant = Guid.NewGuid();
        using var http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = workers * 2 })
        {
            // --direct: straight to Leads, to separate the gateway's share of the cost.
            BaseAddress = args.Contains("--direct") ? leads.BaseAddress : gateway.BaseAddress, Timeout = TimeSpan.FromSeconds(30),
        };
        http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token(tenant));

        BenchOutput.Progress($"creating {contactsCount} contacts through the gateway");
        var contacts = new ConcurrentBag<Guid>();
        await Parallel.ForEachAsync(Enumerable.Range(0, contactsCount), new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct },
            async (i, token) =>
            {
                var response = await http.PostAsJsonAsync("/api/leads/contacts", new { email = $"bench{i}@leads.test" }, token);
                response.EnsureSuccessStatusCode();
                contacts.Add((await response.Content.ReadFromJsonAsync<JsonElement>(token)).GetProperty("id").GetGuid());
            });

        // Warm-up: every contact makes its first move (new → contacted), then the measured load runs for --warmup seconds
        // so tiered JIT, connection pools and the consumers settle; its events are drained before measuring.
        BenchOutput.Progress($"warm-up: first transition of every contact, then {warmup.TotalSeconds:F0} s of load");
        var ids = contacts.ToArray();
        await Parallel.ForEachAsync(ids, new ParallelOptions { MaxDegreeOfParallelism = workers, CancellationToken = ct },
            async (id, token) => (await Transition(http, id, "contacted", token)).EnsureSuccessStatusCode());
        var position = new int[ids.Length];
        var warm = await LoadAsync(http, ids, position, path, workers, warmup, ct);
        await Poll.UntilAsync(() => received.Count, n => n >= ids.Length + warm.Latencies.Length, TimeSpan.FromSeconds(300),
            "warm-up events to arrive", ct, 50);
        received.Clear();

        BenchOutput.Progress($"measuring for {duration.TotalSeconds:F0} s");
        var cpu = CpuSampler.Start();
        var (sorted, failures, elapsed) = await LoadAsync(http, ids, position, path, workers, duration, ct);
        var transitions = sorted.Length;

        await Poll.UntilAsync(() => received.Count, n => n >= transitions, TimeSpan.FromSeconds(120), "every LeadStateChanged to arrive", ct, 50);
        // What a transition costs the machine, counted until its last event was consumed: request, transaction, relay,
        // the service's own consumers (lifecycle saga, automations, scheduler) and the broker, whoever did the work.
        var (busyMs, split) = cpu.CostPerOperation(transitions);
        var arrivals = received.ToArray();
        var consumeSpan = (arrivals.Max(a => a.ReceivedTicks) - arrivals.Min(a => a.ReceivedTicks)) / (double)Stopwatch.Frequency;

        BenchOutput.Figure("leads_transitions", transitions / elapsed, "transitions/s");
        BenchOutput.Figure("leads_transition_p50", BenchStats.Percentile(sorted, 0.50), "ms", 1);
        BenchOutput.Figure("leads_transition_p99", BenchStats.Percentile(sorted, 0.99), "ms", 1);
        BenchOutput.Figure("leads_transition_errors", failures, "requests");
        BenchOutput.Figure("leads_state_changed_consumed", arrivals.Length / Math.Max(consumeSpan, 0.001), "msg/s");
        BenchOutput.Figure("leads_state_changed_received", arrivals.Length, "messages");
        BenchOutput.Figure("leads_cpu_per_transition", busyMs, "ms", 2);
        BenchOutput.Figure("leads_machine_ceiling", busyMs > 0 ? Environment.ProcessorCount * 1000 / busyMs : 0, "transitions/s");
        BenchOutput.Note("cpu per transition: " + string.Join(", ", split.Select(x => $"{x.Group} {x.Ms.ToString("F2", System.Globalization.CultureInfo.InvariantCulture)} ms")) +
                         " (ceiling: every core busy with nothing but transitions at this cost)");
        BenchOutput.Note($"{transitions} transitions in {elapsed:F1} s through gateway → Leads; all {arrivals.Length} LeadStateChanged consumed within {consumeSpan:F1} s");

        // Imports: activity batches of 1,000 (the largest), one after another, over the same contacts (each batch moves the
        // interaction time, engagement and AI score of every contact it names).
        var batches = BenchArgs.Int(args, "--activity-batches", 10);
        if (batches > 0)
        {
            BenchOutput.Progress($"{batches} activity batches of 1,000");
            var batchLatencies = new List<double>();
            var batchFailures = 0;
            var batchCpu = CpuSampler.Start();
            var batchClock = Stopwatch.StartNew();
            for (var b = 0; b < batches && !ct.IsCancellationRequested; b++)
            {
                var activities = Enumerable.Range(0, 1000).Select(i => new { type = "page.viewed", contact_id = ids[(b * 1000 + i) % ids.Length] }).ToArray();
                var started = Stopwatch.GetTimestamp();
                using var response = await http.PostAsJsonAsync("/api/leads/activities/batch", new { activities }, ct);
                if (response.StatusCode == HttpStatusCode.Created)
                    batchLatencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                else
                    batchFailures++;
            }

            var batchSeconds = batchClock.Elapsed.TotalSeconds;
            var (batchMs, _) = batchCpu.CostPerOperation(Math.Max(1, batchLatencies.Count));
            var sortedBatches = batchLatencies.Order().ToArray();
            BenchOutput.Figure("leads_activity_batch_p50", BenchStats.Percentile(sortedBatches, 0.50), "ms", 1);
            BenchOutput.Figure("leads_activity_batch_max", sortedBatches.LastOrDefault(), "ms", 1);
            BenchOutput.Figure("leads_activities_imported", batchLatencies.Count * 1000 / batchSeconds, "activities/s");
            BenchOutput.Figure("leads_cpu_per_activity_batch", batchMs, "ms", 1);
            BenchOutput.Figure("leads_activity_batch_errors", batchFailures, "requests");
            failures += batchFailures;
        }

        // The physical limit beside it, in the same run: PostgreSQL's own TPC-B-like write transactions (5 statements, durable
        // commit) with every other process idle. A transition is one API transaction plus the relay's and the consumers'.
        if (!args.Contains("--no-pgbench"))
        {
            await leads.DisposeAsync();
            await gateway.DisposeAsync();
            BenchOutput.Progress("pgbench TPC-B, scale 10, 8 clients");
            var tpcb = await PgBench.TpcbAsync(duration, ct);
            BenchOutput.Figure("pgbench_tpcb", tpcb, "tps");
            BenchOutput.Figure("leads_transitions_vs_pgbench", transitions / elapsed / tpcb, "ratio", 2);
        }

        return failures == 0 ? 0 : 1;
    }

    /// <summary>
    /// Each client owns a slice of the contacts and walks each one along <paramref name="path"/> (a cycle of states, every
    /// step an allowed transition), one request at a time. Returns the sorted latencies of the successful transitions.
    /// </summary>
    static async Task<(double[] Latencies, int Failures, double Seconds)> LoadAsync(HttpClient http, Guid[] ids, int[] position, string[] path,
        int workers, TimeSpan duration, CancellationToken ct)
    {
        var latencies = new ConcurrentBag<double>();
        var failures = 0;
        var deadline = Stopwatch.GetTimestamp() + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, workers).Select(async w =>
        {
            var mine = Enumerable.Range(0, ids.Length).Where(i => i % workers == w).ToArray();
            for (var next = 0; mine.Length > 0 && Stopwatch.GetTimestamp() < deadline && !ct.IsCancellationRequested; next++)
            {
                var i = mine[next % mine.Length];
                var started = Stopwatch.GetTimestamp();
                using var response = await Transition(http, ids[i], path[(position[i] + 1) % path.Length], ct);
                if (response.StatusCode == HttpStatusCode.Created)
                {
                    latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    position[i] = (position[i] + 1) % path.Length;
                }
                else
                {
                    Interlocked.Increment(ref failures);
                }
            }
        }));
        return (latencies.Order().ToArray(), failures, clock.Elapsed.TotalSeconds);
    }

    static Task<HttpResponseMessage> Transition(HttpClient http, Guid id, string toState, CancellationToken ct) =>
        http.PostAsJsonAsync($"/api/leads/contacts/{id}/transitions", new { to_state = toState, triggered_by = "bench" }, ct);


    static string Token(Guid tenant) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Subject = new ClaimsIdentity([new Claim("sub", "bench"), new Claim("tenant_id", tenant.ToString())]),
        Issuer = "growthops-dev",
        Audience = "growthops",
        Expires = DateTime.UtcNow.AddHours(1),
        SigningCredentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(SigningKey)), SecurityAlgorithms.HmacSha256),
    });

    /// <summary>
    /// The workloads, as cycles of default states starting from <c>contacted</c>. <c>pipeline</c>: a lead moves along the
    /// pipeline, goes quiet and is reached again (three pipeline moves the lifecycle ignores, one that cancels its dormancy
    /// timeout, one that schedules it). <c>dormancy</c>: every transition cancels or schedules the timeout (the worst case).
    /// </summary>
    static readonly Dictionary<string, string[]> Paths = new()
    {
        ["pipeline"] = ["contacted", "qualified", "proposal", "negotiation", "dormant"],
        ["dormancy"] = ["contacted", "dormant"],
    };

    sealed class StateChangedCounter(ConcurrentQueue<(DateTimeOffset, long)> received) : IConsumer<LeadStateChanged>
    {
        public Task Consume(ConsumeContext<LeadStateChanged> context)
        {
            received.Enqueue((context.Message.OccurredAt, Stopwatch.GetTimestamp()));
            return Task.CompletedTask;
        }
    }
}
