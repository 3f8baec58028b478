using System.Net;
using System.Text.Json;
using Dapper;
using Npgsql;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Measuring_overlaps(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static Guid G(JsonElement e, string name) => e.GetProperty(name).GetGuid();

    static int I(JsonElement e, string name) => e.GetProperty(name).GetInt32();

    static double D(JsonElement e, string name) => e.GetProperty(name).GetDouble();

    [Fact]
    public async Task Computes_the_intersection_jaccard_and_percentages_of_two_segments_and_stores_the_pair_once()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "c0", "c1", "c2", "c3", "c4");
        var a = await StaticSegment(client, "A", c.Take(4));
        var b = await StaticSegment(client, "B", c.Skip(2));

        var overlap = await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{a}}", "segment_b_id": "{{b}}"}""")),
            HttpStatusCode.OK);
        Assert.Equal((a, b), (G(overlap, "segment_a_id"), G(overlap, "segment_b_id")));
        Assert.Equal((2, 4, 3, 5), (I(overlap, "intersection_count"), I(overlap, "a_count"), I(overlap, "b_count"), I(overlap, "union_count")));
        Assert.Equal(0.4, D(overlap, "jaccard"), 9);
        Assert.Equal(50.0, D(overlap, "percent_of_a"), 9);
        Assert.Equal(200.0 / 3, D(overlap, "percent_of_b"), 9);

        // Asked the other way round: the same pair, seen from B, and still one stored row.
        await Json(await client.PostAsync($"/api/segments/segments/{b}/members/remove", Body($$"""{"contact_ids": ["{{c[4]}}"]}""")), HttpStatusCode.OK);
        var swapped = await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{b}}", "segment_b_id": "{{a}}"}""")),
            HttpStatusCode.OK);
        Assert.Equal((b, 2, 4, 100.0, 50.0), (G(swapped, "segment_a_id"), I(swapped, "a_count"), I(swapped, "b_count"), D(swapped, "percent_of_a"),
            D(swapped, "percent_of_b")));
        var stored = (await Json(await client.GetAsync("/api/segments/overlaps"), HttpStatusCode.OK)).EnumerateArray().ToList();
        var only = Assert.Single(stored);
        Assert.Equal((2, 4), (I(only, "intersection_count"), I(only, "union_count")));
        var fromA = Assert.Single((await Json(await client.GetAsync($"/api/segments/overlaps?segment_id={a}"), HttpStatusCode.OK)).EnumerateArray());
        Assert.Equal((a, 50.0), (G(fromA, "segment_a_id"), D(fromA, "percent_of_a")));
        var computedAt = fromA.GetProperty("computed_at").GetDateTimeOffset();
        Assert.True(computedAt > DateTimeOffset.UtcNow.AddMinutes(-1), computedAt.ToString());

        await using var admin = new NpgsqlConnection(app.Database.AdminConnectionString);
        Assert.Equal(1, await admin.ExecuteScalarAsync<int>("select count(*)::int from segments.segment_overlaps where tenant_id = @tenant", new { tenant }));
    }

    [Fact]
    public async Task Empty_segments_overlap_by_nothing_rather_than_dividing_by_zero()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var a = await StaticSegment(client, "A", []);
        var b = await StaticSegment(client, "B", []);
        var overlap = await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{a}}", "segment_b_id": "{{b}}"}""")),
            HttpStatusCode.OK);
        Assert.Equal((0, 0, 0.0, 0.0, 0.0), (I(overlap, "intersection_count"), I(overlap, "union_count"), D(overlap, "jaccard"), D(overlap, "percent_of_a"),
            D(overlap, "percent_of_b")));
    }

    [Fact]
    public async Task The_matrix_gives_every_pair_of_up_to_twenty_segments_and_stores_them()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "c0", "c1", "c2", "c3");
        var a = await StaticSegment(client, "A", [c[0], c[1]]);
        var b = await StaticSegment(client, "B", [c[1], c[2]]);
        var d = await StaticSegment(client, "D", [c[3]]);

        var matrix = await Json(await client.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = new[] { a, b, d } }))),
            HttpStatusCode.OK);
        Assert.Equal([a, b, d], matrix.GetProperty("segment_ids").EnumerateArray().Select(e => e.GetGuid()));
        Assert.Equal([2, 2, 1], matrix.GetProperty("member_counts").EnumerateArray().Select(e => e.GetInt32()));
        int[][] intersections = [[2, 1, 0], [1, 2, 0], [0, 0, 1]];
        Assert.Equal(intersections, matrix.GetProperty("intersections").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetInt32()).ToArray()));
        var jaccard = matrix.GetProperty("jaccard").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        Assert.Equal([1.0, 1.0 / 3, 0.0], jaccard[0]);
        Assert.Equal([0.0, 0.0, 1.0], jaccard[2]);
        Assert.Equal(3, matrix.GetProperty("pairs").GetArrayLength());
        Assert.Equal(3, (await Json(await client.GetAsync("/api/segments/overlaps"), HttpStatusCode.OK)).GetArrayLength());
        Assert.Equal(2, (await Json(await client.GetAsync($"/api/segments/overlaps?segment_id={d}"), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task Twenty_segments_are_one_matrix_and_twenty_one_are_a_400()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "c0", "c1");
        var ids = new List<Guid>();
        for (var i = 0; i < 21; i++)
            ids.Add(await StaticSegment(client, $"S{i}", [c[i % 2]]));

        var matrix = await Json(await client.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = ids.Take(20) }))),
            HttpStatusCode.OK);
        Assert.Equal(190, matrix.GetProperty("pairs").GetArrayLength());
        // Segments of the same contact overlap wholly, the others not at all.
        Assert.Equal([1, 0, 1], matrix.GetProperty("intersections")[0].EnumerateArray().Take(3).Select(e => e.GetInt32()));

        var errors = (await Json(await client.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = ids }))),
            HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(errors.TryGetProperty("segment_ids", out _));
        await Json(await client.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = new[] { ids[0] } }))),
            HttpStatusCode.BadRequest);
        await Json(await client.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = new[] { ids[0], ids[0] } }))),
            HttpStatusCode.BadRequest);
        await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{ids[0]}}", "segment_b_id": "{{ids[0]}}"}""")),
            HttpStatusCode.BadRequest);
        await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{ids[0]}}"}""")), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_tenants_segments_are_not_found_and_its_overlaps_not_seen()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var a = await StaticSegment(client, "A", []);
        var b = await StaticSegment(client, "B", []);
        await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{a}}", "segment_b_id": "{{b}}"}""")), HttpStatusCode.OK);

        var other = app.ClientFor(Guid.NewGuid());
        var mine = await StaticSegment(other, "Mine", []);
        await Json(await other.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{mine}}", "segment_b_id": "{{a}}"}""")), HttpStatusCode.NotFound);
        await Json(await other.PostAsync("/api/segments/overlaps/matrix", Body(JsonSerializer.Serialize(new { segment_ids = new[] { mine, a, b } }))),
            HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/overlaps?segment_id={a}"), HttpStatusCode.NotFound);
        Assert.Equal(0, (await Json(await other.GetAsync("/api/segments/overlaps"), HttpStatusCode.OK)).GetArrayLength());
        await Json(await client.PostAsync("/api/segments/overlaps", Body($$"""{"segment_a_id": "{{a}}", "segment_b_id": "{{Guid.Empty}}"}""")),
            HttpStatusCode.NotFound);
    }
}
