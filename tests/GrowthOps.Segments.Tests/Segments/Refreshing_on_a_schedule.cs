using System.Net;
using System.Text.Json;
using Dapper;
using GrowthOps.Contracts.Segments;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Segments;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Segments;

public sealed class Refreshing_on_a_schedule(ClockedSegmentsApp app) : IClassFixture<ClockedSegmentsApp>
{
    const string Adas = """[{"field": "first_name", "operator": "equals", "value": "Ada"}]""";

    static DateTime? At(JsonElement e, string property) =>
        e.GetProperty(property).ValueKind == JsonValueKind.Null ? null : e.GetProperty(property).GetDateTime();

    static async Task<List<string>> SnapshotTypes(HttpClient client, Guid segment) =>
        (await Get(client, $"/api/segments/segments/{segment}/snapshots?limit=200")).GetProperty("items").EnumerateArray()
        .Select(s => s.GetProperty("type").GetString()!).ToList();

    [Fact]
    public async Task A_due_segment_is_refreshed_once_with_a_scheduled_snapshot_however_many_replicas_look()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var bob = Guid.CreateVersion7();
        await AddContacts(app, tenant, Snapshot(Guid.CreateVersion7(), 1, "Ada"), Snapshot(bob, 1, "Bob"));
        var created = await CreateSegment(client, $$"""{"name": "Adas", "criteria": {{Adas}}, "refresh_interval_hours": 1}""");
        var segment = Id(created);
        Assert.Equal(At(created, "created_at")!.Value.AddHours(1), At(created, "next_refresh_at"));
        // Drift only a full pass corrects: the read model changed with no per-event evaluation (as if it had been missed).
        await app.InTenantAsync(tenant, services =>
        {
            var unitOfWork = services.GetRequiredService<UnitOfWork>();
            return unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("update segments.contacts set first_name = 'Ada' where id = @bob", new { bob }));
        });

        var scheduler = app.Services.GetRequiredService<SegmentScheduler>();
        await scheduler.RunDueAsync(default);
        Assert.Empty(await SnapshotTypes(client, segment));

        app.Clock.Advance(TimeSpan.FromHours(1));
        // The service's own scheduler and two more, as other replicas would, all looking at once.
        await Task.WhenAll(scheduler.RunDueAsync(default), scheduler.RunDueAsync(default));
        await Eventually.Until(() => SnapshotTypes(client, segment), types => types.Count > 0, TimeSpan.FromSeconds(20), "a scheduled refresh");

        Assert.Equal(["scheduled"], await SnapshotTypes(client, segment));
        var snapshot = (await Get(client, $"/api/segments/segments/{segment}/snapshots")).GetProperty("items")[0];
        Assert.Equal(2, snapshot.GetProperty("member_count").GetInt32());
        var batch = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == segment && b.Reason == "scheduled_refresh");
        Assert.Equal([bob], batch.Entered);
        var refreshed = await Get(client, $"/api/segments/segments/{segment}");
        var at = At(refreshed, "last_refreshed_at")!.Value;
        Assert.InRange((app.Clock.GetUtcNow().UtcDateTime - at).Duration(), TimeSpan.Zero, TimeSpan.FromMilliseconds(1));
        Assert.Equal(at.AddHours(1), At(refreshed, "next_refresh_at"));
    }

    [Fact]
    public async Task Editing_archiving_and_turning_auto_refresh_off_move_or_clear_the_next_refresh()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var segment = Id(await CreateSegment(client, $$"""{"name": "Daily", "criteria": {{Adas}}}"""));
        var daily = await Get(client, $"/api/segments/segments/{segment}");
        Assert.Equal(At(daily, "created_at")!.Value.AddHours(24), At(daily, "next_refresh_at"));

        var edited = await Json(await client.PatchAsync($"/api/segments/segments/{segment}", Body("""{"refresh_interval_hours": 5}""")), HttpStatusCode.OK);
        Assert.Equal(At(edited, "last_refreshed_at")!.Value.AddHours(5), At(edited, "next_refresh_at"));
        var archived = await Json(await client.PostAsync($"/api/segments/segments/{segment}/archive", null), HttpStatusCode.OK);
        Assert.Null(At(archived, "next_refresh_at"));
        var unarchived = await Json(await client.PostAsync($"/api/segments/segments/{segment}/unarchive", null), HttpStatusCode.OK);
        Assert.Equal(At(edited, "last_refreshed_at")!.Value.AddHours(5), At(unarchived, "next_refresh_at"));
        var manual = await Json(await client.PatchAsync($"/api/segments/segments/{segment}", Body("""{"auto_refresh": false}""")), HttpStatusCode.OK);
        Assert.Null(At(manual, "next_refresh_at"));
        Assert.Null(At(await CreateSegment(client, """{"name": "Picked", "kind": "static"}"""), "next_refresh_at"));
    }

    [Fact]
    public async Task An_archived_segment_is_not_refreshed_when_its_time_comes()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var segment = Id(await CreateSegment(client, $$"""{"name": "Hourly", "criteria": {{Adas}}, "refresh_interval_hours": 1}"""));
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/archive", null), HttpStatusCode.OK);

        app.Clock.Advance(TimeSpan.FromHours(2));
        await app.Services.GetRequiredService<SegmentScheduler>().RunDueAsync(default);
        Assert.Empty(await SnapshotTypes(client, segment));
    }
}
