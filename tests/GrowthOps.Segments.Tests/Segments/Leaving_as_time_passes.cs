using GrowthOps.Contracts.Segments;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Segments;

public sealed class Leaving_as_time_passes(ClockedSegmentsApp app) : IClassFixture<ClockedSegmentsApp>
{
    static async Task<List<Guid>> Members(HttpClient client, Guid segment) =>
        Ids((await Get(client, $"/api/segments/segments/{segment}/members")).GetProperty("items"));

    [Fact]
    public async Task A_contact_leaves_and_enters_relative_date_segments_when_its_moment_passes_with_no_event()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = Guid.CreateVersion7();
        await AddContacts(app, tenant, Snapshot(contact, 1) with { LastInteractionAt = app.Clock.GetUtcNow().AddMinutes(-5) });
        var recent = Id(await CreateSegment(client, """
            {"name": "Recent", "criteria": [{"field": "last_interaction_at", "operator": "greater_than", "value": "10 minutes ago"}]}
            """));
        var lapsed = Id(await CreateSegment(client, """
            {"name": "Lapsed", "criteria": [{"field": "last_interaction_at", "operator": "less_than", "value": "8 minutes ago"}]}
            """));
        Assert.Equal([contact], await Members(client, recent));
        Assert.Empty(await Members(client, lapsed));

        app.Clock.Advance(TimeSpan.FromMinutes(6));

        var left = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == recent && b.Reason == "time_elapsed");
        Assert.Equal([contact], left.Exited);
        Assert.Equal((0, tenant), (left.Entered.Count, left.TenantId));
        var joined = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == lapsed && b.Reason == "time_elapsed");
        Assert.Equal([contact], joined.Entered);
        Assert.Empty(await Members(client, recent));
        Assert.Equal([contact], await Members(client, lapsed));
    }

    [Fact]
    public async Task A_contact_leaves_an_activity_window_segment_when_the_window_passes_it()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var contact = Guid.CreateVersion7();
        await AddContacts(app, tenant, Snapshot(contact, 1));
        await app.InTenantAsync(tenant, services =>
            services.GetRequiredService<ReadModelUpdater>().RecordAsync(Activity(contact, app.Clock.GetUtcNow().AddDays(-6)), default));
        var buyers = Id(await CreateSegment(client, """
            {"name": "Bought this week", "criteria": [{"activity": "checkout.completed", "has_done": true, "within_days": 7}]}
            """));
        Assert.Equal([contact], await Members(client, buyers));

        app.Clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1));

        var left = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(b => b.SegmentId == buyers && b.Reason == "time_elapsed");
        Assert.Equal([contact], left.Exited);
        Assert.Empty(await Members(client, buyers));
    }
}
