using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.SegmentsCalls;

namespace GrowthOps.Segments.Tests.Apis;

public sealed class Resolving_smart_lists(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    /// <summary>Calls <c>segments.resolve_smart_list</c> as the service's role, in a transaction of <paramref name="tenant"/>.</summary>
    async Task<List<(Guid ContactId, string Email, DateTime EnteredAt)>> Resolve(Guid tenant, Guid segment)
    {
        var rows = new List<(Guid, string, DateTime)>();
        await app.InTenantAsync(tenant, async services =>
        {
            var unitOfWork = services.GetRequiredService<UnitOfWork>();
            rows.AddRange(await unitOfWork.Connection.QueryAsync<(Guid, string, DateTime)>(unitOfWork.Command(
                "select contact_id, email, entered_at from segments.resolve_smart_list(@segment)", new { segment })));
        });
        return rows;
    }

    [Fact]
    public async Task Resolves_a_segment_to_its_current_members_with_their_emails_as_they_change()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var c = await Contacts(app, tenant, "Ada", "Bob");
        var segment = Id(await DynamicSegment(client, "Adas", "Ada"));

        var first = Assert.Single(await Resolve(tenant, segment));
        Assert.Equal((c[0], $"c-{c[0]:N}@example.com"), (first.ContactId, first.Email));

        // No refresh: the list follows the event that made Bob an Ada.
        await app.InTenantAsync(tenant, services => services.GetRequiredService<ReadModelUpdater>().ApplyAsync(LeadsContacts.Snapshot(c[1], 2, "Ada"), default));
        var both = await Resolve(tenant, segment);
        Assert.Equal([c[0], c[1]], both.Select(r => r.ContactId));
        Assert.True(both[0].EnteredAt <= both[1].EnteredAt);
    }

    [Fact]
    public async Task Another_tenant_resolves_the_segment_to_nobody()
    {
        var tenant = Guid.NewGuid();
        await Contacts(app, tenant, "Ada");
        var segment = Id(await DynamicSegment(app.ClientFor(tenant), "Adas", "Ada"));

        Assert.Single(await Resolve(tenant, segment));
        Assert.Empty(await Resolve(Guid.NewGuid(), segment));
    }
}
