using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Apis;

/// <summary>
/// A rebuild through the service and the bus: the route sends Leads its command, and the pages (here published as Leads
/// would) are applied next to live events.
/// </summary>
public sealed class Asking_for_a_rebuild(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    readonly Guid tenant = Guid.NewGuid();

    Task Publish(object message) => app.Bus.Bus.Publish(ReadModelMessages.ForTenant(message, tenant));

    Task<string> Row(Guid id, string columns) => ReadModelDump.RowAsync(app.Database, tenant, id, columns);

    Task<string> RowWhen(Guid id, string columns, string expected) =>
        Eventually.Until(() => Row(id, columns), row => row == expected, TimeSpan.FromSeconds(20), $"{id} reads {expected}");

    [Fact]
    public async Task Asks_Leads_for_the_snapshots_and_keeps_the_newer_of_pages_and_live_events()
    {
        var (x, y, lost) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await Publish(Created(Snapshot(x, 1)));
        await Publish(Created(Snapshot(lost, 1)));
        await RowWhen(x, "version", "(1)");
        await RowWhen(lost, "version", "(1)");
        var client = app.ClientFor(tenant);

        var response = await client.PostAsync("/api/segments/read-model/rebuild", null);

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var requestId = (await response.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetGuid();
        Assert.Equal($"/api/segments/read-model/rebuilds/{requestId}", response.Headers.Location?.ToString());
        var command = await app.Bus.WaitFor<RepublishContactSnapshots>(c => c.RequestId == requestId);
        Assert.Equal((tenant, 500, "test-user"), (command.TenantId!.Value, command.PageSize, command.RequestedBy));

        var again = await client.PostAsync("/api/segments/read-model/rebuild", null);
        Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
        Assert.Equal(requestId, (await again.Content.ReadFromJsonAsync<JsonElement>()).GetProperty("request_id").GetGuid());

        // Leads answers while contacts change: x changes before its (older) page arrives, y after its page.
        await Publish(Updated(Snapshot(x, 5)));
        await RowWhen(x, "version", "(5)");
        await Publish(new ContactSnapshotsPage(requestId, tenant, 2, true, [Snapshot(x, 3)], command.RequestedAt.AddSeconds(1)));
        await Publish(new ContactSnapshotsPage(requestId, tenant, 1, false, [Snapshot(y, 2)], command.RequestedAt.AddSeconds(1)));
        await RowWhen(y, "version", "(2)");
        await Publish(Updated(Snapshot(y, 3)));

        var status = await Eventually.Until(() => client.GetFromJsonAsync<JsonElement>($"/api/segments/read-model/rebuilds/{requestId}"),
            s => s.GetProperty("completed_at").ValueKind == JsonValueKind.String, TimeSpan.FromSeconds(20), "the rebuild completes");
        Assert.Equal((2, 2, 1), (status.GetProperty("pages_received").GetInt32(), status.GetProperty("contacts").GetInt32(),
            status.GetProperty("tombstoned").GetInt32()));
        await RowWhen(y, "version", "(3)");
        Assert.Equal("(5,v5,f)", await Row(x, "version, first_name, deleted"));
        Assert.Equal("(t)", await Row(lost, "deleted"));
        Assert.Contains(app.Changes.Of(tenant), c => c.Cause == ContactChangeCause.MissingFromRebuild && c.ContactIds.SequenceEqual([lost]));

        Assert.Equal(HttpStatusCode.NotFound, (await app.ClientFor(Guid.NewGuid()).GetAsync($"/api/segments/read-model/rebuilds/{requestId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, (await client.PostAsync("/api/segments/read-model/rebuild", null)).StatusCode);
    }
}
