using System.Diagnostics;
using System.Text.Json;
using GrowthOps.Bench.Infrastructure;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace GrowthOps.Bench.Segments;

/// <summary>
/// Per-event re-evaluation: a tenant of 20,000 contacts (with activity totals and recent activities) and 200 active dynamic
/// segments of varied criteria, members computed. Then ContactUpdated snapshots (score moved by up to ±10, a tag added or removed,
/// sometimes the last interaction or the lead state changed, version + 1) are applied one after another, each in its own transaction exactly as the
/// read-model consumer does (<see cref="ReadModelUpdater"/> with the service's <see cref="IContactChangeObserver"/>: load the
/// contact's memberships and facts, evaluate 200 criteria in memory, record and publish the entries and exits, recount).
/// Beside it, interleaved in blocks, the same transaction with no segments.
/// </summary>
sealed class PerEventPhase(BenchDatabase database, InProcessSegments service, MembershipRecorder recorder)
{
    static readonly string[] Tags = ["newsletter", "webinar", "trial", "vip"];
    static readonly string[] States = ["new", "contacted", "qualified", "proposal", "negotiation", "dormant"];

    // Stopwatch ticks spent in begin (scope, connection, tenant), apply (upsert + observer) and commit (with the outbox rows).
    readonly long[] _withParts = new long[3];
    readonly long[] _withoutParts = new long[3];

    public async Task RunAsync(string[] args, CancellationToken ct)
    {
        var contacts = BenchArgs.Int(args, "--event-contacts", 20_000);
        var segmentCount = BenchArgs.Int(args, "--segments", 200);
        var events = BenchArgs.Int(args, "--events", 3000);
        var tenant = Guid.NewGuid();
        await using var admin = await database.OpenProbeAsync(ct);
        BenchOutput.Progress($"per-event: loading {contacts:N0} contacts and {segmentCount} segments");
        await ReadModelLoader.LoadContactsAsync(admin, tenant, contacts, 0.17, ct);
        await ReadModelLoader.LoadRecentActivitiesAsync(admin, tenant, ct);
        await ReadModelLoader.AnalyzeAsync(admin, ct);
        var setup = Stopwatch.StartNew();
        var i = 0;
        foreach (var (criteria, logic) in BenchCriteria.Varied(segmentCount, 42))
        {
            var segment = await service.CreateSegmentAsync(tenant, $"bench segment {i++}", criteria, logic, ct);
            await service.RecomputeAsync(tenant, segment, "created", ct);
        }

        var memberships = await BenchDatabase.CountAsync(admin, "select count(*) from segments.segment_membership", ct);
        BenchOutput.Note($"per-event: {segmentCount} segments created and computed in {setup.Elapsed.TotalSeconds:F1} s over {contacts:N0} contacts " +
                         $"({memberships:N0} memberships, {memberships / (double)contacts:F1} segments per contact)");

        var snapshots = await SnapshotsAsync(admin, tenant, ct);
        var random = new Random(7);
        var withSegments = new List<double>(events);
        var without = new List<double>(events);
        var unchanged = new List<double>(events);
        var changesBefore = recorder.Changes;
        var cpu = CpuSampler.Start();
        // Warm-up (JIT, pools, the tenant's segment cache), then blocks of 100 of each, alternating, so both see the same load.
        const int Block = 100;
        var warmup = Math.Min(300, events / 5);
        for (var done = -warmup; done < events; done += Block)
        {
            var measured = done >= 0;
            for (var k = 0; k < Block; k++)
            {
                var ms = await ApplyAsync(tenant, Next(snapshots, random), segments: true, ct);
                if (measured)
                    withSegments.Add(ms);
            }

            for (var k = 0; k < Block; k++)
            {
                var ms = await ApplyAsync(tenant, Next(snapshots, random), segments: false, ct);
                if (measured)
                    without.Add(ms);
            }

            // The evaluation alone: a newer version that changes nothing criteria read (200 segments evaluated, nothing enters or leaves).
            for (var k = 0; k < Block; k++)
            {
                var ms = await ApplyAsync(tenant, Touch(snapshots, random), segments: true, ct, count: false);
                if (measured)
                    unchanged.Add(ms);
            }
        }

        var sorted = withSegments.Order().ToArray();
        var raw = without.Order().ToArray();
        BenchOutput.Figure("segments_event_p50", BenchStats.Percentile(sorted, 0.50), "ms", 2);
        BenchOutput.Figure("segments_event_p99", BenchStats.Percentile(sorted, 0.99), "ms", 2);
        BenchOutput.Figure("segments_event_max", sorted.LastOrDefault(), "ms", 2);
        var still = unchanged.Order().ToArray();
        BenchOutput.Figure("segments_event_unchanged_p50", BenchStats.Percentile(still, 0.50), "ms", 2);
        BenchOutput.Figure("segments_event_unchanged_p99", BenchStats.Percentile(still, 0.99), "ms", 2);
        BenchOutput.Figure("segments_event_no_segments_p50", BenchStats.Percentile(raw, 0.50), "ms", 2);
        BenchOutput.Figure("segments_event_no_segments_p99", BenchStats.Percentile(raw, 0.99), "ms", 2);
        await Poll.UntilAsync(() => recorder.Changes, n => n > changesBefore, TimeSpan.FromSeconds(60), "membership changes to reach the bus", ct, 50);
        BenchOutput.Note($"per-event: {sorted.Length} ContactUpdated applied against {segmentCount} segments and {raw.Length} without, one at a time, " +
                         $"each its own committed transaction; ~{(recorder.Changes - changesBefore) / (double)(sorted.Length + warmup):F2} entries/exits published per event so far");
        BenchOutput.Note($"per-event breakdown, mean ms (begin / apply / commit): with segments {Parts(_withParts, warmup + sorted.Length)}, " +
                         $"without {Parts(_withoutParts, warmup + raw.Length)}");
        BenchOutput.Note("per-event " + cpu.Report());
    }

    async Task<double> ApplyAsync(Guid tenant, ContactSnapshot snapshot, bool segments, CancellationToken ct, bool count = true)
    {
        var started = Stopwatch.GetTimestamp();
        await using var scope = service.Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        var updater = segments
            ? scope.ServiceProvider.GetRequiredService<ReadModelUpdater>()
            : new ReadModelUpdater(unitOfWork, scope.ServiceProvider.GetRequiredService<ReadModelStore>(),
                scope.ServiceProvider.GetRequiredService<PropensityStore>(), NoSegments.Instance);
        await unitOfWork.BeginAsync(tenant, ct);
        var begun = Stopwatch.GetTimestamp();
        await updater.ApplyAsync(snapshot, ct);
        var applied = Stopwatch.GetTimestamp();
        await unitOfWork.CommitAsync(ct);
        if (count)
        {
            var parts = segments ? _withParts : _withoutParts;
            parts[0] += begun - started;
            parts[1] += applied - begun;
            parts[2] += Stopwatch.GetTimestamp() - applied;
        }

        return Stopwatch.GetElapsedTime(started).TotalMilliseconds;
    }

    static string Parts(long[] ticks, int events) =>
        string.Join(" / ", ticks.Select(t => BenchOutput.F(t * 1000.0 / Stopwatch.Frequency / events, 2)));

    /// <summary>A random contact's snapshot again, one version newer, with nothing a criterion reads changed.</summary>
    static ContactSnapshot Touch(ContactSnapshot[] snapshots, Random random)
    {
        var index = random.Next(snapshots.Length);
        var next = snapshots[index] with { Version = snapshots[index].Version + 1 };
        snapshots[index] = next;
        return next;
    }

    /// <summary>The next change of a random contact, as Leads would publish it: the whole snapshot, one version newer.</summary>
    static ContactSnapshot Next(ContactSnapshot[] snapshots, Random random)
    {
        var index = random.Next(snapshots.Length);
        var current = snapshots[index];
        var now = DateTimeOffset.UtcNow;
        var tag = Tags[random.Next(Tags.Length)];
        var tags = current.Tags.Contains(tag) ? current.Tags.Where(t => t != tag).ToList() : [.. current.Tags, tag];
        var state = random.NextDouble() < 0.1 ? States[random.Next(States.Length)] : current.LeadState;
        var next = current with
        {
            Version = current.Version + 1,
            Score = Math.Clamp(current.Score + random.Next(-10, 11), 0, 100),
            Tags = tags,
            LastInteractionAt = random.NextDouble() < 0.3 ? now : current.LastInteractionAt,
            LeadState = state,
            StateEnteredAt = state != current.LeadState ? now : current.StateEnteredAt,
            UpdatedAt = now,
        };
        snapshots[index] = next;
        return next;
    }

    static async Task<ContactSnapshot[]> SnapshotsAsync(NpgsqlConnection admin, Guid tenant, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            select id, email, kind, first_name, last_name, company, source, channel, score, marketing_consent, tags, lead_state, attributes::text,
                   last_interaction_at, created_at, updated_at, version, ai_score, email_verified, state_entered_at
              from segments.contacts where tenant_id = @tenant
            """, admin);
        command.Parameters.AddWithValue("tenant", tenant);
        await using var r = await command.ExecuteReaderAsync(ct);
        var list = new List<ContactSnapshot>();
        while (await r.ReadAsync(ct))
        {
            DateTimeOffset? Instant(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
            list.Add(new ContactSnapshot(r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), null, r.GetString(5),
                r.GetString(6), r.GetString(7), null, r.GetInt32(8), null, r.GetBoolean(9), r.GetFieldValue<string[]>(10), r.GetString(11),
                JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(r.GetString(12)), Instant(13), r.GetFieldValue<DateTimeOffset>(14),
                r.GetFieldValue<DateTimeOffset>(15), r.GetInt64(16), r.IsDBNull(17) ? null : r.GetInt32(17), r.GetBoolean(18), Instant(19)));
        }

        return [.. list];
    }
}
