using System.Net;
using System.Text.Json;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Linking_campaigns(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    static StringContent Link(Guid campaign, string type, string? role = null) =>
        Body(role is null ? $$"""{"campaign_id": "{{campaign}}", "campaign_type": "{{type}}"}"""
            : $$"""{"campaign_id": "{{campaign}}", "campaign_type": "{{type}}", "role": "{{role}}"}""");

    [Fact]
    public async Task Links_a_segment_to_a_campaign_once_and_the_campaign_lists_its_audience()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var audience = await StaticSegment(client, "Audience", []);
        var excluded = await StaticSegment(client, "Unsubscribers", []);
        var campaign = Guid.NewGuid();

        var link = await Json(await client.PostAsync($"/api/segments/segments/{audience}/campaigns", Link(campaign, "email")), HttpStatusCode.Created);
        Assert.Equal((audience, campaign, "email", "include"), (link.GetProperty("segment_id").GetGuid(), link.GetProperty("campaign_id").GetGuid(),
            link.GetProperty("campaign_type").GetString(), link.GetProperty("role").GetString()));
        Assert.Equal("test-user", link.GetProperty("linked_by").GetString());
        var again = await Json(await client.PostAsync($"/api/segments/segments/{audience}/campaigns", Link(campaign, "email", "include")), HttpStatusCode.OK);
        Assert.Equal(link.GetProperty("linked_at").GetDateTimeOffset(), again.GetProperty("linked_at").GetDateTimeOffset());
        await Json(await client.PostAsync($"/api/segments/segments/{audience}/campaigns", Link(campaign, "email", "exclude")), HttpStatusCode.Conflict);
        await Json(await client.PostAsync($"/api/segments/segments/{excluded}/campaigns", Link(campaign, "email", "exclude")), HttpStatusCode.Created);
        await Json(await client.PostAsync($"/api/segments/segments/{audience}/campaigns", Link(Guid.NewGuid(), "cortex")), HttpStatusCode.Created);

        Assert.Equal(2, (await Json(await client.GetAsync($"/api/segments/segments/{audience}/campaigns"), HttpStatusCode.OK)).GetArrayLength());
        var segments = (await Json(await client.GetAsync($"/api/segments/campaigns/{campaign}/segments"), HttpStatusCode.OK)).GetProperty("segments")
            .EnumerateArray().ToList();
        Assert.Equal([(audience, "Audience", "include"), (excluded, "Unsubscribers", "exclude")],
            segments.Select(s => (s.GetProperty("segment_id").GetGuid(), s.GetProperty("name").GetString(), s.GetProperty("role").GetString())));

        await Json(await client.DeleteAsync($"/api/segments/segments/{audience}/campaigns/{campaign}"), HttpStatusCode.NoContent);
        await Json(await client.DeleteAsync($"/api/segments/segments/{audience}/campaigns/{campaign}"), HttpStatusCode.NotFound);
        Assert.Equal([excluded], (await Json(await client.GetAsync($"/api/segments/campaigns/{campaign}/segments"), HttpStatusCode.OK))
            .GetProperty("segments").EnumerateArray().Select(s => s.GetProperty("segment_id").GetGuid()));

        // Deleting a segment unlinks it.
        await Json(await client.DeleteAsync($"/api/segments/segments/{excluded}"), HttpStatusCode.NoContent);
        Assert.Equal(0, (await Json(await client.GetAsync($"/api/segments/campaigns/{campaign}/segments"), HttpStatusCode.OK)).GetProperty("segments")
            .GetArrayLength());
    }

    [Fact]
    public async Task Bad_links_are_a_400_naming_the_member()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var segment = await StaticSegment(client, "S", []);
        foreach (var (body, member) in new[]
                 {
                     ($$"""{"campaign_type": "email"}""", "campaign_id"),
                     ($$"""{"campaign_id": "{{Guid.NewGuid()}}", "campaign_type": "sms"}""", "campaign_type"),
                     ($$"""{"campaign_id": "{{Guid.NewGuid()}}"}""", "campaign_type"),
                     ($$"""{"campaign_id": "{{Guid.NewGuid()}}", "campaign_type": "sequence", "role": "maybe"}""", "role"),
                 })
        {
            var errors = (await Json(await client.PostAsync($"/api/segments/segments/{segment}/campaigns", Body(body)), HttpStatusCode.BadRequest))
                .GetProperty("errors");
            Assert.True(errors.TryGetProperty(member, out _), body);
        }

        Assert.Equal(0, (await Json(await client.GetAsync($"/api/segments/segments/{segment}/campaigns"), HttpStatusCode.OK)).GetArrayLength());
    }

    [Fact]
    public async Task Another_tenant_neither_links_nor_sees_the_links()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var segment = await StaticSegment(client, "S", []);
        var campaign = Guid.NewGuid();
        await Json(await client.PostAsync($"/api/segments/segments/{segment}/campaigns", Link(campaign, "sequence")), HttpStatusCode.Created);

        var other = app.ClientFor(Guid.NewGuid());
        await Json(await other.PostAsync($"/api/segments/segments/{segment}/campaigns", Link(Guid.NewGuid(), "email")), HttpStatusCode.NotFound);
        await Json(await other.GetAsync($"/api/segments/segments/{segment}/campaigns"), HttpStatusCode.NotFound);
        await Json(await other.DeleteAsync($"/api/segments/segments/{segment}/campaigns/{campaign}"), HttpStatusCode.NotFound);
        var theirs = await Json(await other.GetAsync($"/api/segments/campaigns/{campaign}/segments"), HttpStatusCode.OK);
        Assert.Equal(JsonValueKind.Array, theirs.GetProperty("segments").ValueKind);
        Assert.Equal(0, theirs.GetProperty("segments").GetArrayLength());
        Assert.Equal(1, (await Json(await client.GetAsync($"/api/segments/campaigns/{campaign}/segments"), HttpStatusCode.OK)).GetProperty("segments")
            .GetArrayLength());
    }
}
