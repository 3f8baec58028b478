using System.Net;
using System.Text.Json;
using Dapper;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Reading_segment_stats(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static JsonElement Of(JsonElement stats, Guid segment) =>
        stats.GetProperty("segments").EnumerateArray().Single(s => s.GetProperty("segment_id").GetGuid() == segment);

    static (int Entered, int Exited) Moves(JsonElement growth) => (growth.GetProperty("entered").GetInt32(), growth.GetProperty("exited").GetInt32());

    /// <summary>Moves the segment's counted entries and exits <paramref name="days"/> back, as if they had happened then.</summary>
    async Task Backdate(Guid segment, int days)
    {
        await using var admin = new NpgsqlConnection(app.Database.AdminConnectionString);
        await admin.ExecuteAsync("update segments.segment_membership_daily set day = day - @days where segment_id = @segment", new { segment, days });
    }

    [Fact]
    public async Task Counts_segments_by_status_and_type_with_members_overlap_and_refresh_time()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "Ada", "Bob", "Cy");
        var adas = Id(await DynamicSegment(client, "Adas", "Ada"));
        var picked = await StaticSegment(client, "Picked", [c[1], c[2]]);
        var old = await Json(await client.PostAsync("/api/segments/segments", Body("""{"name": "Old", "type": "value", "kind": "static"}""")),
            HttpStatusCode.Created);
        await Json(await client.PostAsync($"/api/segments/segments/{Id(old)}/archive", null), HttpStatusCode.OK);
        await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{adas}}", "segment_b_id": "{{picked}}"}""")), HttpStatusCode.OK);

        var stats = await Json(await client.GetAsync("/api/segments/stats"), HttpStatusCode.OK);
        Assert.Equal((30, 3, 2, 1), (stats.GetProperty("days").GetInt32(), stats.GetProperty("total_segments").GetInt32(),
            stats.GetProperty("active_segments").GetInt32(), stats.GetProperty("archived_segments").GetInt32()));
        var byType = stats.GetProperty("by_type");
        Assert.Equal((1, 1, 1, 0), (byType.GetProperty("demographic").GetInt32(), byType.GetProperty("behavioral").GetInt32(),
            byType.GetProperty("value").GetInt32(), byType.GetProperty("predictive").GetInt32()));
        Assert.Equal((3L, 3, 0), (stats.GetProperty("total_memberships").GetInt64(), stats.GetProperty("entered").GetInt32(), stats.GetProperty("exited").GetInt32()));
        Assert.Equal(1, Of(stats, adas).GetProperty("member_count").GetInt32());
        Assert.Equal(2, Of(stats, picked).GetProperty("member_count").GetInt32());
        Assert.Equal((1, 0.0, 0.0), (stats.GetProperty("overlap_pairs").GetInt32(), stats.GetProperty("average_jaccard").GetDouble(),
            stats.GetProperty("average_overlap_percent").GetDouble()));
        // Only the dynamic segment had a full pass.
        var last = stats.GetProperty("last_refresh_ms").GetInt32();
        Assert.Equal(last, stats.GetProperty("average_refresh_ms").GetDouble());
        var one = await Json(await client.GetAsync($"/api/segments/segments/{adas}/stats"), HttpStatusCode.OK);
        Assert.Equal(last, one.GetProperty("last_refresh_ms").GetInt32());
        Assert.NotEqual(JsonValueKind.Null, one.GetProperty("last_refreshed_at").ValueKind);

        var other = await Json(await app.ClientFor(Guid.NewGuid()).GetAsync("/api/segments/stats"), HttpStatusCode.OK);
        Assert.Equal((0, 0L, 0), (other.GetProperty("total_segments").GetInt32(), other.GetProperty("total_memberships").GetInt64(),
            other.GetProperty("segments").GetArrayLength()));
        Assert.Equal(JsonValueKind.Null, other.GetProperty("average_jaccard").ValueKind);
        Assert.Equal(JsonValueKind.Null, other.GetProperty("last_refresh_ms").ValueKind);
        await Json(await app.ClientFor(Guid.NewGuid()).GetAsync($"/api/segments/segments/{adas}/stats"), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task Growth_and_churn_compare_the_window_with_the_members_at_its_start()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "c0", "c1", "c2", "c3", "c4");
        var segment = await StaticSegment(client, "Picked", c.Take(3));
        await Backdate(segment, 40);
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/members", Body($$"""{"contact_ids": ["{{c[3]}}", "{{c[4]}}"]}""")), HttpStatusCode.OK);
        await Json(await client.DeleteAsync($"/api/segments/segments/{segment}/members/{c[0]}"), HttpStatusCode.NoContent);

        var growth = Of(await Json(await client.GetAsync("/api/segments/stats?days=30"), HttpStatusCode.OK), segment);
        Assert.Equal((4, 3, 2, 1), (growth.GetProperty("member_count").GetInt32(), growth.GetProperty("members_at_start").GetInt32(),
            growth.GetProperty("entered").GetInt32(), growth.GetProperty("exited").GetInt32()));
        Assert.Equal(100.0 / 3, growth.GetProperty("growth_rate").GetDouble(), 9);
        Assert.Equal(100.0 / 3, growth.GetProperty("churn_rate").GetDouble(), 9);
        // A window reaching back before the segment had members has nothing to compare with.
        var longer = Of(await Json(await client.GetAsync("/api/segments/stats?days=60"), HttpStatusCode.OK), segment);
        Assert.Equal((0, 5, 1), (longer.GetProperty("members_at_start").GetInt32(), longer.GetProperty("entered").GetInt32(), longer.GetProperty("exited").GetInt32()));
        Assert.Equal(JsonValueKind.Null, longer.GetProperty("growth_rate").ValueKind);

        var week = await Json(await client.GetAsync($"/api/segments/segments/{segment}/stats?days=7"), HttpStatusCode.OK);
        var daily = week.GetProperty("daily").EnumerateArray().ToList();
        Assert.Equal(7, daily.Count);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        Assert.Equal(Enumerable.Range(0, 7).Select(i => today.AddDays(i - 6)), daily.Select(d => DateOnly.Parse(d.GetProperty("day").GetString()!)));
        Assert.Equal((2, 1, 4), (daily[6].GetProperty("entered").GetInt32(), daily[6].GetProperty("exited").GetInt32(), daily[6].GetProperty("members").GetInt32()));
        Assert.All(daily.Take(6), d => Assert.Equal((0, 0, 3), (d.GetProperty("entered").GetInt32(), d.GetProperty("exited").GetInt32(),
            d.GetProperty("members").GetInt32())));

        await Json(await client.GetAsync("/api/segments/stats?days=0"), HttpStatusCode.BadRequest);
        await Json(await client.GetAsync($"/api/segments/segments/{segment}/stats?days=366"), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Entries_and_exits_from_events_and_refreshes_are_counted_per_day()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "Ada", "Bob", "Cy");
        var segment = Id(await DynamicSegment(client, "Adas", "Ada"));

        // Bob becomes an Ada and Ada stops being one: one entry and one exit by events; Cy's deletion changes nothing here.
        await app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            await updater.ApplyAsync(LeadsContacts.Snapshot(c[1], 2, "Ada"), default);
            await updater.ApplyAsync(LeadsContacts.Snapshot(c[0], 2, "Zed"), default);
            await updater.DeleteAsync(c[2], DateTimeOffset.UtcNow, default);
        });
        var growth = Of(await Json(await client.GetAsync("/api/segments/stats"), HttpStatusCode.OK), segment);
        Assert.Equal((2, 1), Moves(growth));
        Assert.Equal(1, growth.GetProperty("member_count").GetInt32());

        // A deleted member leaves a static segment too, and that counts as its exit.
        var picked = await StaticSegment(client, "Picked", [c[1]]);
        await app.InTenantAsync(tenant, services => services.GetRequiredService<ReadModelUpdater>().DeleteAsync(c[1], DateTimeOffset.UtcNow, default));
        var stats = await Json(await client.GetAsync("/api/segments/stats"), HttpStatusCode.OK);
        Assert.Equal((1, 1), Moves(Of(stats, picked)));
        Assert.Equal((2, 2), Moves(Of(stats, segment)));

        // A refresh that changes nothing counts nothing.
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/refresh", null), HttpStatusCode.OK);
        var today = (await Json(await client.GetAsync($"/api/segments/segments/{segment}/stats?days=1"), HttpStatusCode.OK)).GetProperty("daily")[0];
        Assert.Equal((2, 2, 0), (today.GetProperty("entered").GetInt32(), today.GetProperty("exited").GetInt32(), today.GetProperty("members").GetInt32()));
    }
}
