using System.Diagnostics;
using Dapper;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Segments;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// <c>./growthops bench segments</c>: the Segments service's three costs, each beside its physical limit in the same run —
/// a full refresh of a 1M-contact tenant against the same statement written by hand, per-event re-evaluation against 200
/// segments against the same transaction without segments, and Leads API call → SegmentMembershipChanged on the bus
/// against a raw broker round trip.
/// </summary>
sealed class SegmentsBenchmark : IBenchmark
{
    public const string SigningKey = "growthops-bench-signing-key-0123456789abcdefghij";

    public async Task<int> RunAsync(string[] args, CancellationToken ct)
    {
        var phases = BenchArgs.Text(args, "--phases", "refresh,event,e2e").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        BenchOutput.Note($"machine: {Environment.ProcessorCount} cores, load average {CpuSampler.LoadAverage()} at the start (1/5/15 min); " +
                         $"phases {string.Join(", ", phases)}");
        var failed = 0;
        if (phases.Contains("refresh") || phases.Contains("event"))
            failed += await InProcessPhasesAsync(args, phases, ct);
        if (phases.Contains("e2e"))
            failed += await BenchWebApps.RunPhaseAsync("e2e", () => new EndToEndPhase().RunAsync(args, ct));
        BenchOutput.Note($"load average {CpuSampler.LoadAverage()} at the end");
        return failed == 0 ? 0 : 1;
    }

    /// <summary>The refresh and per-event phases share one database and one in-process Segments service (different tenants).</summary>
    static async Task<int> InProcessPhasesAsync(string[] args, string[] phases, CancellationToken ct)
    {
        await using var database = await BenchDatabase.CreateAsync("segments", "segments", ct);
        await using var vhost = await BenchVirtualHost.CreateAsync("segments", ct);
        var recorder = new MembershipRecorder();
        using var consumers = BenchHosts.PlainBus(vhost.Name, publisherConfirmation: false, x =>
        {
            x.AddConsumer<MembershipRecorder.ChangedConsumer>().Endpoint(e => e.Name = "bench-segment-membership-changed");
            x.AddConsumer<MembershipRecorder.BatchConsumer>().Endpoint(e => e.Name = "bench-segment-membership-batch-changed");
        }, services: s => s.AddSingleton(recorder));
        await consumers.StartAsync(ct);
        await using var service = await InProcessSegments.StartAsync(database, vhost, SigningKey, BenchArgs.Text(args, "--sweep-interval", ""), ct);
        var failed = 0;
        if (phases.Contains("refresh"))
            failed += await BenchWebApps.RunPhaseAsync("refresh", () => RefreshAsync(args, database, service, recorder, ct));
        if (phases.Contains("event"))
            failed += await BenchWebApps.RunPhaseAsync("event", () => PerEventAsync(args, database, service, recorder, ct));
        await BenchHosts.StopQuietlyAsync(consumers);
        return failed;
    }

    /// <summary>
    /// 1M contacts × 3 criteria: the service's first pass (every member inserted, published in batches) and its steady-state
    /// refresh after 1% of the contacts changed, each as one committed transaction; beside each, the hand-written statements
    /// doing the same to a second segment's members in a transaction of the same role and tenant (row-level security alike).
    /// </summary>
    static async Task RefreshAsync(string[] args, BenchDatabase database, InProcessSegments service, MembershipRecorder recorder, CancellationToken ct)
    {
        var contacts = BenchArgs.Int(args, "--contacts", 1_000_000);
        var rounds = BenchArgs.Int(args, "--rounds", 3);
        var tenant = Guid.NewGuid();
        await using var admin = await database.OpenProbeAsync(ct);
        BenchOutput.Progress($"loading {contacts:N0} contacts with activity totals into the read model");
        var load = Stopwatch.StartNew();
        await ReadModelLoader.LoadContactsAsync(admin, tenant, contacts, 0.42, ct);
        await ReadModelLoader.AnalyzeAsync(admin, ct);
        var totals = await BenchDatabase.CountAsync(admin, "select count(*) from segments.contact_activity", ct);
        BenchOutput.Note($"refresh: {contacts:N0} contacts and {totals:N0} activity totals loaded in {load.Elapsed.TotalSeconds:F1} s (SQL, then analyze); " +
                         $"criteria score > 40 AND tags contains 'newsletter' AND last_interaction_at > '30 days ago'");
        // Both sides read a warm cache: one scan first.
        await BenchDatabase.CountAsync(admin, "select count(*) from segments.contacts where score > 40", ct);

        var segment = await service.CreateSegmentAsync(tenant, "bench refresh", BenchCriteria.RefreshCriteria, "AND", ct);
        var hand = await service.CreateSegmentAsync(tenant, "bench hand-written", """[{"field": "email", "operator": "equals", "value": "-"}]""", "AND", ct);
        // Both code paths once on a small segment first, so neither measured pass pays for JIT or cold pools.
        var warm = await service.CreateSegmentAsync(tenant, "bench warm-up", """[{"field": "email", "operator": "equals", "value": "c1@bench.test"}]""", "AND", ct);
        await service.RecomputeAsync(tenant, warm, "created", ct);
        await HandAsync(service, tenant, SteadySql.Replace(BenchCriteria.RefreshWhere, "c.email = 'c2@bench.test'", StringComparison.Ordinal), warm.Id, ct);

        var cpu = CpuSampler.Start();
        BenchOutput.Progress("first pass: the service, then the hand-written insert");
        var (firstMs, first) = await Timed(() => service.RecomputeAsync(tenant, segment, "created", ct));
        var (handFirstMs, handFirst) = await Timed(() => HandAsync(service, tenant, FirstPassSql, hand.Id, ct));
        BenchOutput.Figure("segments_refresh_first_pass", firstMs, "ms");
        BenchOutput.Figure("segments_refresh_first_pass_hand_sql", handFirstMs, "ms");
        BenchOutput.Figure("segments_refresh_first_pass_ratio", firstMs / handFirstMs, "ratio", 2);
        BenchOutput.Note($"first pass: {first.Added:N0} members entered (service; its statement took {first.DurationMs} ms of the {firstMs:F0} ms " +
                         $"transaction, the rest is counting, {Math.Ceiling(first.Added / (double)SegmentMembership.BatchSize):F0} batch messages into the outbox and the commit); " +
                         $"hand-written insert: {handFirst:N0} members");

        var steady = new List<double>();
        var handSteady = new List<double>();
        var diffs = new List<int>();
        for (var round = 0; round < rounds; round++)
        {
            // 1% of the contacts change score or become active, as a day of events would leave them.
            await BenchDatabase.CountAsync(admin, $"""
                with changed as (
                  update segments.contacts set score = floor(100 * power(random(), 1.5))::int, version = version + 1,
                         last_interaction_at = case when random() < 0.5 then now() else last_interaction_at end
                   where tenant_id = '{tenant}' and random() < 0.01 returning 1)
                select count(*) from changed
                """, ct);
            BenchOutput.Progress($"steady-state round {round + 1} of {rounds}");
            // Alternate who goes first, so neither always reads the other's freshly cached pages.
            for (var turn = 0; turn < 2; turn++)
                if ((turn + round) % 2 == 0)
                {
                    var (ms, pass) = await Timed(() => service.RecomputeAsync(tenant, segment, "refresh", ct));
                    steady.Add(ms);
                    diffs.Add(pass.Added + pass.Removed);
                }
                else
                {
                    handSteady.Add((await Timed(() => HandAsync(service, tenant, SteadySql, hand.Id, ct))).Ms);
                }
        }

        var steadyMs = BenchStats.Median(steady);
        var handSteadyMs = BenchStats.Median(handSteady);
        BenchOutput.Figure("segments_refresh", steadyMs, "ms");
        BenchOutput.Figure("segments_refresh_hand_sql", handSteadyMs, "ms");
        BenchOutput.Figure("segments_refresh_ratio", steadyMs / handSteadyMs, "ratio", 2);
        var members = await BenchDatabase.CountAsync(admin, $"select count(*) from segments.segment_membership where segment_id = '{segment.Id}'", ct);
        var handMembers = await BenchDatabase.CountAsync(admin, $"select count(*) from segments.segment_membership where segment_id = '{hand.Id}'", ct);
        BenchOutput.Note($"steady state: median of {rounds} refreshes after 1% of the contacts changed ({string.Join(", ", diffs)} entries + exits; " +
                         $"service {string.Join(", ", steady.Select(v => BenchOutput.F(v)))} ms, hand-written {string.Join(", ", handSteady.Select(v => BenchOutput.F(v)))} ms); " +
                         $"members now: service {members:N0}, hand-written {handMembers:N0}");
        BenchOutput.Note("refresh " + cpu.Report());
        await Poll.UntilAsync(() => recorder.BatchedContacts, n => n >= first.Added + diffs.Sum(), TimeSpan.FromSeconds(120),
            "every batch of the refresh passes to reach the bus", ct, 50);
        BenchOutput.Note($"published: {recorder.Batches} SegmentMembershipBatchChanged with {recorder.BatchedContacts:N0} contacts, the largest {recorder.LargestBatch}");
    }

    /// <summary>The first pass by hand: every matching contact inserted.</summary>
    const string FirstPassSql = $"""
        insert into segments.segment_membership (tenant_id, segment_id, contact_id, source, reason)
        select c.tenant_id, @segment, c.id, 'dynamic', 'created' from segments.contacts c
         where c.tenant_id = segments.current_tenant() and not c.deleted and {BenchCriteria.RefreshWhere}
        """;

    /// <summary>A refresh by hand: the members that no longer match deleted, the new matches inserted.</summary>
    const string SteadySql = $"""
        delete from segments.segment_membership m
         where m.segment_id = @segment and not exists (
           select 1 from segments.contacts c where c.tenant_id = m.tenant_id and c.id = m.contact_id and not c.deleted and {BenchCriteria.RefreshWhere});
        insert into segments.segment_membership (tenant_id, segment_id, contact_id, source, reason)
        select c.tenant_id, @segment, c.id, 'dynamic', 'refresh' from segments.contacts c
         where c.tenant_id = segments.current_tenant() and not c.deleted and {BenchCriteria.RefreshWhere}
           and not exists (select 1 from segments.segment_membership m where m.tenant_id = c.tenant_id and m.segment_id = @segment and m.contact_id = c.id);
        """;

    static async Task<int> HandAsync(InProcessSegments service, Guid tenant, string sql, Guid segmentId, CancellationToken ct)
    {
        await using var scope = service.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenant, ct);
        var rows = await unitOfWork.Connection.ExecuteAsync(new CommandDefinition(sql, new { segment = segmentId, since = DateTimeOffset.UtcNow.AddDays(-30) },
            unitOfWork.Transaction, commandTimeout: 0, cancellationToken: ct));
        await unitOfWork.CommitAsync(ct);
        return rows;
    }

    static async Task<(double Ms, T Result)> Timed<T>(Func<Task<T>> work)
    {
        var started = Stopwatch.GetTimestamp();
        var result = await work();
        return (Stopwatch.GetElapsedTime(started).TotalMilliseconds, result);
    }

    static Task PerEventAsync(string[] args, BenchDatabase database, InProcessSegments service, MembershipRecorder recorder, CancellationToken ct) =>
        new PerEventPhase(database, service, recorder).RunAsync(args, ct);
}
