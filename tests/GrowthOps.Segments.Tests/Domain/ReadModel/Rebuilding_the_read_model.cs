using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.ReadModel;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Domain.ReadModel;

/// <summary>Applying Leads' snapshot pages next to live events, and what a completed rebuild concludes, against real PostgreSQL.</summary>
public sealed class Rebuilding_the_read_model(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    readonly Guid tenant = Guid.NewGuid();
    readonly RecordedContactChanges changes = new();

    Task Apply(object message) => db.ApplyAsync(tenant, message, changes);

    ContactSnapshotsPage Page(Guid request, int page, bool last, params ContactSnapshot[] contacts) =>
        new(request, tenant, page, last, contacts, DateTimeOffset.UtcNow);

    Task<string> Row(Guid id, string columns) => ReadModelDump.RowAsync(db.Database, tenant, id, columns);

    Task<Rebuild?> Status(Guid request) => db.InTenantAsync(tenant, DateTimeOffset.UtcNow, (_, unitOfWork) => new RebuildsStore(unitOfWork).GetAsync(request, default));

    Task<Guid> Request() => db.InTenantAsync(tenant, DateTimeOffset.UtcNow,
        async (_, unitOfWork) => (await new RebuildsStore(unitOfWork).AddAsync(Guid.CreateVersion7(), "test-user", 2, default)).RequestId);

    /// <summary>Makes the contact's last write here an hour old: long before any rebuild of this test.</summary>
    Task Age(Guid id) => db.Database.ScalarAsync<int>(
        "update segments.contacts set applied_at = now() - interval '1 hour' where tenant_id = $1 and id = $2", tenant, id);

    [Fact]
    public async Task A_page_keeps_the_newer_of_its_snapshot_and_the_live_events()
    {
        var (x, y) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Apply(Updated(Snapshot(x, 5)));
        await Apply(Created(Snapshot(y, 1)));
        var request = await Request();

        await Apply(Page(request, 1, true, Snapshot(x, 3), Snapshot(y, 4)));
        await Apply(Updated(Snapshot(y, 2)));

        Assert.Equal("(5,v5)", await Row(x, "version, first_name"));
        Assert.Equal("(4,v4)", await Row(y, "version, first_name"));
        Assert.Equal([y], changes.Of(tenant).Single(c => c.Cause == ContactChangeCause.Rebuilt).ContactIds);
    }

    [Fact]
    public async Task A_rebuild_completes_once_every_page_has_arrived_in_any_order()
    {
        var ids = Enumerable.Range(0, 5).Select(_ => Guid.CreateVersion7()).ToArray();
        var request = await Request();

        await Apply(Page(request, 3, true, Snapshot(ids[4], 1)));
        await Apply(Page(request, 1, false, Snapshot(ids[0], 1), Snapshot(ids[1], 1)));
        await Apply(Page(request, 1, false, Snapshot(ids[0], 1), Snapshot(ids[1], 1)));
        Assert.Null((await Status(request))!.CompletedAt);

        await Apply(Page(request, 2, false, Snapshot(ids[2], 1), Snapshot(ids[3], 1)));
        var status = await Status(request);
        Assert.NotNull(status!.CompletedAt);
        Assert.Equal((3, 3, 5L, 0), (status.PagesReceived, status.LastPage!.Value, status.Contacts, status.Tombstoned!.Value));

        // A page delivered again after completion is applied (by version) and changes nothing else.
        await Apply(Page(request, 2, false, Snapshot(ids[2], 1), Snapshot(ids[3], 1)));
        Assert.Equal(status with { LastPageAt = null }, (await Status(request))! with { LastPageAt = null });
    }

    [Fact]
    public async Task A_completed_rebuild_tombstones_what_no_page_listed_and_nothing_wrote_lately()
    {
        var (listed, lost, recent, later, stub) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        await Apply(Created(Snapshot(listed, 1)));
        await Apply(Created(Snapshot(lost, 1)));
        await Apply(Activity(lost, CreatedAt.AddDays(1)));
        await Apply(Activity(stub, CreatedAt.AddDays(1)));
        await Age(listed);
        await Age(lost);
        await Age(stub);
        // Written within the grace period before the rebuild: maybe created as Leads took its snapshot.
        await Apply(Created(Snapshot(recent, 1)));
        var request = await Request();
        // Written after the rebuild began: created after the snapshot.
        await Apply(Created(Snapshot(later, 1)));

        await Apply(Page(request, 2, true));
        Assert.Equal("(f)", await Row(lost, "deleted"));
        await Apply(Page(request, 1, false, Snapshot(listed, 1)));

        Assert.Equal("(f)", await Row(listed, "deleted"));
        Assert.Equal("(t,,t)", await Row(lost, "deleted, email, deleted_at is not null"));
        Assert.Equal("(t,t)", await Row(stub, "deleted, deleted_at is not null"));
        Assert.Equal("(f)", await Row(recent, "deleted"));
        Assert.Equal("(f)", await Row(later, "deleted"));
        Assert.Equal(0L, await db.Database.ScalarAsync<long>("select count(*) from segments.activities where tenant_id = $1", tenant));
        Assert.Equal(1, (await Status(request))!.Tombstoned);
        Assert.Equal([lost], changes.Of(tenant).Single(c => c.Cause == ContactChangeCause.MissingFromRebuild).ContactIds);
    }

    [Fact]
    public async Task A_rebuild_someone_else_asked_for_counts_from_the_time_of_its_pages()
    {
        var (listed, lost) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        await Apply(Created(Snapshot(listed, 1)));
        await Apply(Created(Snapshot(lost, 1)));
        await Age(lost);
        var request = Guid.CreateVersion7();

        await Apply(Page(request, 1, true, Snapshot(listed, 1)));

        Assert.Equal("(t)", await Row(lost, "deleted"));
        Assert.Equal("(f)", await Row(listed, "deleted"));
        var status = await Status(request);
        Assert.Equal((null, null, 1), (status!.RequestedBy, status.RequestedAt, status.Tombstoned));
    }

    [Fact]
    public async Task An_incomplete_rebuild_tombstones_nothing()
    {
        var lost = Guid.CreateVersion7();
        await Apply(Created(Snapshot(lost, 1)));
        await Age(lost);
        var request = await Request();

        await Apply(Page(request, 1, false));
        await Apply(Page(request, 3, true));

        Assert.Equal("(f)", await Row(lost, "deleted"));
        Assert.Null((await Status(request))!.CompletedAt);
    }

    [Fact]
    public async Task A_contact_listed_by_a_newer_rebuild_is_not_lost_to_an_older_one()
    {
        var contact = Guid.CreateVersion7();
        await Apply(Created(Snapshot(contact, 1)));
        await Age(contact);
        var (older, newer) = (await Request(), await Request());

        await Apply(Page(newer, 1, true, Snapshot(contact, 1)));
        // The older rebuild's pages were taken before the contact existed... or it had one page missing it: either way the
        // newer one saw it, and it stays.
        await Apply(Page(older, 1, true) with { AsOf = DateTimeOffset.UtcNow.AddMinutes(-1) });

        Assert.Equal("(f)", await Row(contact, "deleted"));
    }
}
