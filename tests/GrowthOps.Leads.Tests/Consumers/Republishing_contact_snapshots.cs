using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Consumers;

/// <summary>
/// A read model rebuilds itself from Leads without reading its database: it sends <see cref="RepublishContactSnapshots"/>
/// on the bus and Leads answers with pages of snapshots, one transaction each.
/// </summary>
public sealed class Republishing_contact_snapshots(LeadsApp app) : IClassFixture<LeadsApp>
{
    async Task<(Guid Tenant, List<Guid> Ids)> TenantWithContacts(int count)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var ids = new List<Guid>();
        for (var i = 0; i < count; i++)
            ids.Add(await client.CreateContact($"snap{i}@example.com"));
        return (tenant, ids);
    }

    Task Request(Guid requestId, Guid? tenant, int pageSize) =>
        app.Events.Bus.Publish(new RepublishContactSnapshots(requestId, tenant, pageSize, "tests", DateTimeOffset.UtcNow));

    async Task<List<ContactSnapshotsPage>> Pages(Guid requestId, Guid tenant) =>
        (await Eventually.Until(() => Task.FromResult(app.Events.Received<ContactSnapshotsPage>()
                .Where(p => p.RequestId == requestId && p.TenantId == tenant).OrderBy(p => p.Page).ToList()),
            pages => pages.Any(p => p.Last) && pages.Count == pages.Single(p => p.Last).Page, TimeSpan.FromSeconds(30),
            $"every page of {requestId} for {tenant}"));

    [Fact]
    public async Task Every_contact_of_the_tenant_comes_once_in_numbered_pages_with_its_version()
    {
        var (tenant, ids) = await TenantWithContacts(25);
        var client = app.ClientFor(tenant);
        await client.Patch($"/api/leads/contacts/{ids[3]}", new { first_name = "Changed" });
        var (other, _) = await TenantWithContacts(2);

        var requestId = Guid.NewGuid();
        await Request(requestId, tenant, 10);
        var pages = await Pages(requestId, tenant);

        Assert.Equal([1, 2, 3], pages.Select(p => p.Page));
        Assert.Equal([10, 10, 5], pages.Select(p => p.Contacts.Count));
        Assert.Equal([false, false, true], pages.Select(p => p.Last));
        var snapshots = pages.SelectMany(p => p.Contacts).ToList();
        Assert.Equal(ids.Order(), snapshots.Select(s => s.Id).Order());
        var changed = snapshots.Single(s => s.Id == ids[3]);
        Assert.Equal("Changed", changed.FirstName);
        Assert.Equal((await client.Contact(ids[3])).GetProperty("version").GetInt64(), changed.Version);
        Assert.DoesNotContain(app.Events.Received<ContactSnapshotsPage>(), p => p.RequestId == requestId && p.TenantId == other);
    }

    [Fact]
    public async Task The_same_request_sent_again_publishes_nothing_again()
    {
        var (tenant, _) = await TenantWithContacts(3);
        var requestId = Guid.NewGuid();
        await Request(requestId, tenant, 2);
        var first = await Pages(requestId, tenant);
        Assert.Equal(2, first.Count);

        // The repeated request's page-1 message is consumed (the page consumer's inbox counts it); whatever it published went
        // out in that transaction, so once the outbox is empty it is on the broker, ahead of a marker page published after.
        var consumed = await PageMessagesConsumed();
        await Request(requestId, tenant, 2);
        await Eventually.Until(PageMessagesConsumed, n => n > consumed, TimeSpan.FromSeconds(20), "the repeated request's first page is consumed");
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from leads.outbox_message"), n => n == 0, TimeSpan.FromSeconds(20),
            "the outbox is relayed");
        var marker = Guid.NewGuid();
        await app.Events.Bus.Publish(new ContactSnapshotsPage(marker, tenant, 1, true, [], DateTimeOffset.UtcNow));
        await app.Events.WaitFor<ContactSnapshotsPage>(p => p.RequestId == marker);
        Assert.Equal(2, app.Events.Received<ContactSnapshotsPage>().Count(p => p.RequestId == requestId));
    }

    [Fact]
    public async Task No_tenant_means_every_tenant_and_a_tenant_without_contacts_gets_one_empty_last_page()
    {
        var (a, aIds) = await TenantWithContacts(2);
        var (b, bIds) = await TenantWithContacts(1);
        var empty = Guid.NewGuid();
        await app.ClientFor(empty).GetJson("/api/leads/states"); // Known to Leads (its default states), with no contact.

        var requestId = Guid.NewGuid();
        await Request(requestId, null, 5000);
        Assert.Equal(aIds.Order(), (await Pages(requestId, a)).Single().Contacts.Select(c => c.Id).Order());
        Assert.Equal(bIds, (await Pages(requestId, b)).Single().Contacts.Select(c => c.Id));
        var none = Assert.Single(await Pages(requestId, empty));
        Assert.True(none.Last);
        Assert.Empty(none.Contacts);
    }

    [Fact]
    public async Task A_page_size_below_one_is_read_as_one()
    {
        var (tenant, ids) = await TenantWithContacts(2);
        var requestId = Guid.NewGuid();
        await Request(requestId, tenant, 0);
        var pages = await Pages(requestId, tenant);
        Assert.Equal([1, 1], pages.Select(p => p.Contacts.Count));
    }

    Task<long> PageMessagesConsumed() =>
        app.Database.ScalarAsync<long>("select count(*) from leads.inbox_state where consumer like '%RepublishContactSnapshotsPage%'");
}
