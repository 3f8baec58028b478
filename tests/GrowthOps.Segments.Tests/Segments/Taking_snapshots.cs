using System.Net;
using System.Text.Json;
using GrowthOps.Segments.Domain.Segments;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Segments;

public sealed class Taking_snapshots(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    /// <summary>A static segment of the tenant with <paramref name="members"/> of <paramref name="count"/> new contacts; returns it and all the contacts.</summary>
    async Task<(Guid Segment, List<Guid> Contacts)> StaticSegment(HttpClient client, Guid tenant, int count, int members)
    {
        var contacts = Enumerable.Range(0, count).Select(_ => Guid.CreateVersion7()).ToList();
        await AddContacts(app, tenant, contacts.Select(id => Snapshot(id, 1)).ToArray());
        var segment = Id(await CreateSegment(client, $$"""{"name": "Picked {{Guid.NewGuid():N}}", "kind": "static"}"""));
        await Change(client, segment, contacts.Take(members), add: true);
        return (segment, contacts);
    }

    static async Task Change(HttpClient client, Guid segment, IEnumerable<Guid> contacts, bool add) =>
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/members{(add ? "" : "/remove")}",
            Body(JsonSerializer.Serialize(new { contact_ids = contacts }))), HttpStatusCode.OK);

    static async Task<JsonElement> Take(HttpClient client, Guid segment) =>
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/snapshots", null), HttpStatusCode.Created);

    [Fact]
    public async Task A_manual_snapshot_keeps_the_members_of_its_moment_and_snapshots_list_newest_first()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (segment, contacts) = await StaticSegment(client, tenant, 4, 3);

        var first = await Take(client, segment);
        Assert.Equal(("manual", 3, segment), (first.GetProperty("type").GetString(), first.GetProperty("member_count").GetInt32(),
            first.GetProperty("segment_id").GetGuid()));
        await Change(client, segment, [contacts[0]], add: false);
        await Change(client, segment, [contacts[3]], add: true);
        var second = await Take(client, segment);

        var listed = await Get(client, $"/api/segments/segments/{segment}/snapshots?limit=1");
        Assert.Equal([Id(second)], Ids(listed.GetProperty("items"), "id"));
        var rest = await Get(client, $"/api/segments/segments/{segment}/snapshots?limit=1&cursor={listed.GetProperty("next_cursor").GetString()}");
        Assert.Equal([Id(first)], Ids(rest.GetProperty("items"), "id"));

        var read = await Get(client, $"/api/segments/snapshots/{Id(first)}");
        Assert.Equal(3, read.GetProperty("member_count").GetInt32());
        Assert.True(read.GetProperty("taken_at").GetDateTime() <= second.GetProperty("taken_at").GetDateTime());
        var page = await Get(client, $"/api/segments/snapshots/{Id(first)}/members?limit=2");
        var more = await Get(client, $"/api/segments/snapshots/{Id(first)}/members?limit=2&cursor={page.GetProperty("next_cursor").GetString()}");
        Assert.Equal(contacts.Take(3).Order(), Ids(page.GetProperty("items")).Concat(Ids(more.GetProperty("items"))).Order());
        Assert.Equal("static", page.GetProperty("items")[0].GetProperty("source").GetString());
        Assert.Equal(contacts.Skip(1).Order(), Ids((await Get(client, $"/api/segments/snapshots/{Id(second)}/members")).GetProperty("items")).Order());
    }

    [Fact]
    public async Task Comparing_two_snapshots_counts_who_joined_and_who_left_and_pages_each_list()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (segment, contacts) = await StaticSegment(client, tenant, 6, 3);
        var before = Id(await Take(client, segment));
        await Change(client, segment, [contacts[0]], add: false);
        await Change(client, segment, contacts.Skip(3), add: true);
        var after = Id(await Take(client, segment));

        var comparison = await Get(client, $"/api/segments/snapshots/compare?from={before}&to={after}&limit=2");
        Assert.Equal((before, after, 3, 1), (comparison.GetProperty("from").GetGuid(), comparison.GetProperty("to").GetGuid(),
            comparison.GetProperty("joined_count").GetInt32(), comparison.GetProperty("left_count").GetInt32()));
        Assert.Equal([contacts[0]], Ids(comparison.GetProperty("left").GetProperty("items")));
        var joined = Ids(comparison.GetProperty("joined").GetProperty("items"));
        Assert.Equal(2, joined.Count);
        var cursor = comparison.GetProperty("joined").GetProperty("next_cursor").GetString();
        var next = await Get(client, $"/api/segments/snapshots/compare/joined?from={before}&to={after}&limit=2&cursor={cursor}");
        Assert.Equal(contacts.Skip(3).Order(), joined.Concat(Ids(next.GetProperty("items"))).Order());
        Assert.Equal(JsonValueKind.Null, next.GetProperty("next_cursor").ValueKind);
        Assert.Equal([contacts[0]], Ids((await Get(client, $"/api/segments/snapshots/compare/left?from={before}&to={after}")).GetProperty("items")));

        var reversed = await Get(client, $"/api/segments/snapshots/compare?from={after}&to={before}");
        Assert.Equal((1, 3), (reversed.GetProperty("joined_count").GetInt32(), reversed.GetProperty("left_count").GetInt32()));
    }

    [Fact]
    public async Task A_comparison_without_both_snapshots_or_with_a_bad_limit_is_a_400()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var errors = (await Json(await client.GetAsync($"/api/segments/snapshots/compare?from={Guid.NewGuid()}"), HttpStatusCode.BadRequest))
            .GetProperty("errors");
        Assert.True(errors.TryGetProperty("to", out _));
        var limit = (await Json(await client.GetAsync($"/api/segments/snapshots/compare?from={Guid.NewGuid()}&to={Guid.NewGuid()}&limit=0"),
            HttpStatusCode.BadRequest)).GetProperty("errors");
        Assert.True(limit.TryGetProperty("limit", out _));
        await Json(await client.GetAsync("/api/segments/snapshots/compare/left"), HttpStatusCode.BadRequest);
        await Json(await client.GetAsync($"/api/segments/snapshots/compare?from=nonsense&to={Guid.NewGuid()}"), HttpStatusCode.BadRequest);
        await Json(await client.GetAsync($"/api/segments/snapshots/compare/joined?from={Guid.NewGuid()}&to={Guid.NewGuid()}&cursor=forged"),
            HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Another_tenants_segment_and_snapshots_are_not_found()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (segment, _) = await StaticSegment(client, tenant, 2, 2);
        var snapshot = Id(await Take(client, segment));

        var other = app.ClientFor(Guid.NewGuid());
        await Json(await other.PostAsync($"/api/segments/segments/{segment}/snapshots", null), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/segments/{segment}/snapshots"), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/snapshots/{snapshot}"), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/snapshots/{snapshot}/members"), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/snapshots/compare?from={snapshot}&to={snapshot}"), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/snapshots/compare/joined?from={snapshot}&to={snapshot}"), HttpStatusCode.NotFound);
        Assert.Single((await Get(client, $"/api/segments/segments/{segment}/snapshots")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task A_segment_keeps_at_most_thirty_snapshots_and_the_oldest_scheduled_go_first()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (segment, _) = await StaticSegment(client, tenant, 1, 1);
        var oldestManual = Id(await Take(client, segment));
        var scheduled = new List<Guid>();
        await app.InTenantAsync(tenant, async services =>
        {
            var found = await services.GetRequiredService<GrowthOps.Segments.Data.SegmentsStore>().GetAsync(segment, default);
            var snapshots = services.GetRequiredService<SegmentSnapshots>();
            for (var i = 0; i < 29; i++)
                scheduled.Add((await snapshots.TakeAsync(found!, SnapshotTypes.Scheduled, default)).Id);
        });
        Assert.Equal(30, (await Get(client, $"/api/segments/segments/{segment}/snapshots?limit=200")).GetProperty("items").GetArrayLength());

        var newest = Id(await Take(client, segment));
        var kept = Ids((await Get(client, $"/api/segments/segments/{segment}/snapshots?limit=200")).GetProperty("items"), "id");
        Assert.Equal(30, kept.Count);
        Assert.Equal(newest, kept[0]);
        Assert.Contains(oldestManual, kept);
        Assert.DoesNotContain(scheduled[0], kept);
        Assert.Contains(scheduled[1], kept);
        await Json(await client.GetAsync($"/api/segments/snapshots/{scheduled[0]}/members"), HttpStatusCode.NotFound);
    }
}
