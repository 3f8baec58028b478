using System.Net;
using GrowthOps.Contracts.Segments;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Consumers;

/// <summary>Workflows' add_to_segment / remove_from_segment commands on the bus: static segments change, the rest is refused by message.</summary>
public sealed class Taking_workflow_commands(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    [Fact]
    public async Task A_workflow_adds_and_removes_a_contact_of_a_static_segment_once_and_is_told_when_it_cannot()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ada = Snapshot(Guid.CreateVersion7(), 1, "Ada");
        await app.Contacts(tenant, ada);
        var segment = (await client.PostJson("/api/segments/segments", """{"name": "Workflow picks", "kind": "static"}""", HttpStatusCode.Created)).Id();
        var command = new AddToSegment(tenant, Guid.NewGuid(), segment, ada.Id, "workflow:w:run:r", DateTimeOffset.UtcNow);

        await app.Bus.Bus.Publish(command);
        var entered = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(m => m.TenantId == tenant && m.SegmentId == segment);
        Assert.Equal((ada.Id, 0), (Assert.Single(entered.Entered), entered.Exited.Count));
        await Eventually.Until(async () => (await client.GetJson($"/api/segments/segments/{segment}")).GetProperty("member_count").GetInt32(),
            n => n == 1, TimeSpan.FromSeconds(20), "the contact is a member");

        // Refused, each with its reason: a dynamic segment, a segment that is not there, a contact Segments does not know.
        var dynamic = (await client.PostJson("/api/segments/segments",
            """{"name": "By rule", "criteria": [{"field": "score", "operator": "greater_than", "value": 10}]}""", HttpStatusCode.Created)).Id();
        foreach (var (target, contact, reason) in new[] { (dynamic, ada.Id, "segment_dynamic"), (Guid.NewGuid(), ada.Id, "segment_not_found"),
                     (segment, Guid.NewGuid(), "contact_not_found") })
        {
            var refused = new AddToSegment(tenant, Guid.NewGuid(), target, contact, "workflow:w:run:r", DateTimeOffset.UtcNow);
            await app.Bus.Bus.Publish(refused);
            var failed = await app.Bus.WaitFor<SegmentCommandFailed>(m => m.CommandId == refused.CommandId);
            Assert.Equal((reason, nameof(AddToSegment)), (failed.Reason, failed.Command));
        }

        await app.Bus.Bus.Publish(new RemoveFromSegment(tenant, Guid.NewGuid(), segment, ada.Id, "workflow:w:run:r", DateTimeOffset.UtcNow));
        var exited = await app.Bus.WaitFor<SegmentMembershipBatchChanged>(m => m.TenantId == tenant && m.SegmentId == segment && m.Exited.Count > 0);
        Assert.Equal([ada.Id], exited.Exited);
        Assert.Equal(0, (await client.GetJson($"/api/segments/segments/{segment}")).GetProperty("member_count").GetInt32());
    }
}
