using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using GrowthOps.Bench.Contracts;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Testing;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// Leads API call → SegmentMembershipChanged on the bus. Leads and Segments run as their own processes (Release builds, as
/// <c>./growthops up</c> runs them), each on its own database, sharing a virtual host; a segment "tags contains 'bench-hot'"
/// exists. One contact at a time gets the tag (POST /api/leads/contacts/{id}/tags/bench-hot) or loses it (DELETE): the time
/// from sending the request to a bench consumer receiving the contact's entered / exited — Leads' transaction and outbox
/// relay, RabbitMQ, Segments' inbox consumer (read model, 1 segment) and outbox relay, RabbitMQ again. Beside it, a raw
/// round trip through the broker: publish (confirmed) → consume in the same process.
/// </summary>
sealed class EndToEndPhase
{
    const string Tag = "bench-hot";

    public async Task RunAsync(string[] args, CancellationToken ct)
    {
        var changes = BenchArgs.Int(args, "--e2e-changes", 400);
        var contactsCount = BenchArgs.Int(args, "--e2e-contacts", 50);
        var root = BenchBuilds.RepositoryRoot();
        var leadsDll = BenchBuilds.Built(root, "services/Leads/GrowthOps.Leads", "GrowthOps.Leads.dll");
        var segmentsDll = BenchBuilds.Built(root, "services/Segments/GrowthOps.Segments", "GrowthOps.Segments.dll");
        await using var leadsDb = await BenchDatabase.CreateAsync("e2e_leads", "leads", ct);
        await using var segmentsDb = await BenchDatabase.CreateAsync("e2e_segments", "segments", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("e2e", ct);

        var recorder = new MembershipRecorder();
        var pings = new ConcurrentDictionary<long, TaskCompletionSource<long>>();
        using var consumers = BenchHosts.PlainBus(vhost.Name, publisherConfirmation: true, x =>
        {
            x.AddConsumer<MembershipRecorder.ChangedConsumer>().Endpoint(e => e.Name = "bench-segment-membership-changed");
            x.AddConsumer<PingConsumer>().Endpoint(e => e.Name = "bench-raw-ping");
        }, services: s => s.AddSingleton(recorder).AddSingleton(pings));
        await consumers.StartAsync(ct);

        Dictionary<string, string?> Settings(BenchDatabase database)
        {
            var settings = BenchHosts.ServiceSettings(database, vhost);
            settings["ASPNETCORE_ENVIRONMENT"] = "Production";
            settings["Auth:SigningKey"] = SegmentsBenchmark.SigningKey;
            settings["Logging:LogLevel:Default"] = "Warning";
            return settings;
        }

        // Segments first: its queue must be bound to Leads' exchanges before the first contact is created.
        await using var segments = ChildProcess.Start(segmentsDll, Settings(segmentsDb));
        await segments.WaitReadyAsync();
        var leadsSettings = Settings(leadsDb);
        leadsSettings["Leads:SecretsKey"] = Convert.ToBase64String(Encoding.UTF8.GetBytes("growthops-bench-secrets-key-32by"));
        await using var leads = ChildProcess.Start(leadsDll, leadsSettings);
        await leads.WaitReadyAsync();
        CpuSampler.NameProcess(leads.Id, "leads");
        CpuSampler.NameProcess(segments.Id, "segments");

        var tenant = Guid.NewGuid();
        var token = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenant, SegmentsBenchmark.SigningKey));
        using var leadsHttp = new HttpClient { BaseAddress = leads.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        using var segmentsHttp = new HttpClient { BaseAddress = segments.BaseAddress, Timeout = TimeSpan.FromSeconds(30) };
        leadsHttp.DefaultRequestHeaders.Authorization = token;
        segmentsHttp.DefaultRequestHeaders.Authorization = token;

        (await segmentsHttp.PostAsJsonAsync("/api/segments/segments", new
        {
            name = "Hot", type = "behavioral", criteria_logic = "AND",
            criteria = new[] { new { field = "tags", @operator = "contains", value = Tag } },
        }, ct)).EnsureSuccessStatusCode();
        var ids = new List<Guid>();
        for (var i = 0; i < contactsCount; i++)
        {
            var response = await leadsHttp.PostAsJsonAsync("/api/leads/contacts", new { email = $"e2e{i}@segments.test" }, ct);
            response.EnsureSuccessStatusCode();
            ids.Add((await response.Content.ReadFromJsonAsync<JsonElement>(ct)).GetProperty("id").GetGuid());
        }

        await Poll.UntilAsync(() => segmentsDb.CountAsync("select count(*) from segments.contacts where not deleted", ct), n => n >= contactsCount,
            TimeSpan.FromSeconds(60), "Segments' read model to have every contact", ct, 50);

        BenchOutput.Progress($"end to end: {changes} tag changes through Leads' API, one at a time");
        var warmup = Math.Min(40, changes / 5);
        var latencies = new List<double>(changes);
        var tagged = new bool[ids.Count];
        var cpu = CpuSampler.Start();
        for (var n = -warmup; n < changes; n++)
        {
            var i = (n + warmup) % ids.Count;
            var change = tagged[i] ? "exited" : "entered";
            var arrived = recorder.Expect(ids[i], change);
            var started = Stopwatch.GetTimestamp();
            using var response = tagged[i]
                ? await leadsHttp.DeleteAsync($"/api/leads/contacts/{ids[i]}/tags/{Tag}", ct)
                : await leadsHttp.PostAsync($"/api/leads/contacts/{ids[i]}/tags/{Tag}", null, ct);
            response.EnsureSuccessStatusCode();
            var at = await arrived.WaitAsync(TimeSpan.FromSeconds(30), ct);
            tagged[i] = !tagged[i];
            if (n >= 0)
                latencies.Add((at - started) * 1000.0 / Stopwatch.Frequency);
        }

        var sorted = latencies.Order().ToArray();
        BenchOutput.Figure("segments_e2e_p50", BenchStats.Percentile(sorted, 0.50), "ms", 1);
        BenchOutput.Figure("segments_e2e_p99", BenchStats.Percentile(sorted, 0.99), "ms", 1);
        BenchOutput.Figure("segments_e2e_max", sorted.LastOrDefault(), "ms", 1);
        var (busyMs, split) = cpu.CostPerOperation(warmup + sorted.Length);
        BenchOutput.Note($"end to end: {sorted.Length} tag changes (add/remove alternating) over {ids.Count} contacts, Leads API call sent → " +
                         $"SegmentMembershipChanged received; machine cpu per change {BenchOutput.F(busyMs, 2)} ms: " +
                         string.Join(", ", split.Select(x => $"{x.Group} {BenchOutput.F(x.Ms, 2)} ms")) + " ('other' is everything else on the machine); " + cpu.Report());

        // The physical limit beside it: one message through the same broker and back, publisher confirms on, one at a time.
        var bus = consumers.Services.GetRequiredService<IBus>();
        var round = new List<double>();
        for (long seq = -100; seq < 1000; seq++)
        {
            var done = pings.GetOrAdd(seq, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
            var started = Stopwatch.GetTimestamp();
            await bus.Publish(new RawPing(Guid.NewGuid(), seq), ct);
            var at = await done.WaitAsync(TimeSpan.FromSeconds(30), ct);
            if (seq >= 0)
                round.Add((at - started) * 1000.0 / Stopwatch.Frequency);
        }

        var raw = round.Order().ToArray();
        BenchOutput.Figure("segments_e2e_raw_broker_p50", BenchStats.Percentile(raw, 0.50), "ms", 2);
        BenchOutput.Figure("segments_e2e_raw_broker_p99", BenchStats.Percentile(raw, 0.99), "ms", 2);
        BenchOutput.Note($"raw broker: {raw.Length} round trips (MassTransit publish with confirms → plain consumer, same process); " +
                         "an end-to-end change crosses the broker twice, each behind a committed transaction and an outbox relay");
    }

    sealed class PingConsumer(ConcurrentDictionary<long, TaskCompletionSource<long>> pings) : IConsumer<RawPing>
    {
        public Task Consume(ConsumeContext<RawPing> context)
        {
            var at = Stopwatch.GetTimestamp();
            pings.GetOrAdd(context.Message.Seq, _ => new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously)).TrySetResult(at);
            return Task.CompletedTask;
        }
    }
}
