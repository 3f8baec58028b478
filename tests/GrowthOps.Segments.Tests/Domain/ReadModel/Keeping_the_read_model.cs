using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Domain.ReadModel;

/// <summary>The read model's rules for one contact's events, one message (one transaction) at a time, against real PostgreSQL.</summary>
public sealed class Keeping_the_read_model(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    readonly Guid tenant = Guid.NewGuid();
    readonly Guid id = Guid.CreateVersion7();
    readonly RecordedContactChanges changes = new();

    Task Apply(object message) => db.ApplyAsync(tenant, message, changes);

    Task<string> Row(string columns) => ReadModelDump.RowAsync(db.Database, tenant, id, columns);

    Task<ContactFacts?> Load() => db.InTenantAsync(tenant, DateTimeOffset.UtcNow, (store, _) => store.LoadAsync(id, default));

    IEnumerable<ContactChangeCause> Causes => changes.Of(tenant).Select(c => c.Cause);

    [Fact]
    public async Task An_older_or_repeated_snapshot_changes_nothing()
    {
        await Apply(Created(Snapshot(id, 1)));
        await Apply(Updated(Snapshot(id, 3)));
        await Apply(Updated(Snapshot(id, 2)));
        await Apply(Updated(Snapshot(id, 3, firstName: "same version, other content")));

        Assert.Equal("(3,v3,f)", await Row("version, first_name, deleted"));
        Assert.Equal([ContactChangeCause.Snapshot, ContactChangeCause.Snapshot], Causes);
        Assert.All(changes.Of(tenant), c => Assert.Equal([id], c.ContactIds));
    }

    [Fact]
    public async Task A_deleted_contact_stays_deleted_and_keeps_no_personal_data()
    {
        await Apply(Created(Snapshot(id, 1)));
        await Apply(Activity(id, CreatedAt.AddHours(1)));
        await Apply(Deleted(id, CreatedAt.AddHours(2)));
        await Apply(Updated(Snapshot(id, 7)));
        await Apply(Activity(id, CreatedAt.AddHours(3)));
        await Apply(Deleted(id, CreatedAt.AddHours(4)));

        Assert.Equal("(t,,,,{},{})", await Row("deleted, email, first_name, last_interaction_at, attributes, tags"));
        Assert.Equal(CreatedAt.AddHours(2).UtcDateTime, await db.Database.ScalarAsync<DateTime>(
            "select deleted_at from segments.contacts where tenant_id = $1 and id = $2", tenant, id));
        Assert.Null(await Load());
        Assert.Equal(0L, await db.Database.ScalarAsync<long>(
            "select (select count(*) from segments.activities where tenant_id = $1) + (select count(*) from segments.contact_activity where tenant_id = $1)",
            tenant));
        Assert.Equal([ContactChangeCause.Snapshot, ContactChangeCause.Activity, ContactChangeCause.Deleted], Causes);
    }

    [Fact]
    public async Task A_deletion_that_arrives_first_keeps_the_contact_out()
    {
        await Apply(Deleted(id, CreatedAt.AddHours(2)));
        await Apply(Created(Snapshot(id, 1)));
        await Apply(Activity(id, CreatedAt.AddHours(1)));

        Assert.Null(await Load());
        Assert.Equal("(t,)", await Row("deleted, email"));
        Assert.Empty(Causes);
    }

    [Fact]
    public async Task An_activity_counts_once_and_one_before_its_contact_waits_for_it()
    {
        var activity = Activity(id, CreatedAt.AddDays(2));
        await Apply(activity);
        await Apply(activity);
        Assert.Null(await Load());

        await Apply(Created(Snapshot(id, 1)));
        await Apply(activity);

        var contact = await Load();
        Assert.NotNull(contact);
        Assert.Equal(1, contact.ActivityTotals["checkout.completed"].Count);
        Assert.Equal([activity.ActivityId], contact.Activities.Select(a => a.Id));
        Assert.Equal("P2P", contact.Activities[0].Metadata["product"].GetString());
        Assert.Equal(activity.OccurredAt, contact.LastInteractionAt);
        // The stub was no contact: its activity is no change of one; the contact's creation is.
        Assert.Equal([ContactChangeCause.Snapshot], Causes);
    }

    [Fact]
    public async Task The_last_interaction_moves_forward_only()
    {
        await Apply(Created(Snapshot(id, 1) with { LastInteractionAt = CreatedAt.AddDays(1) }));
        await Apply(Activity(id, CreatedAt.AddDays(3)));
        await Apply(Updated(Snapshot(id, 2) with { LastInteractionAt = CreatedAt.AddDays(2) }));
        await Apply(Activity(id, CreatedAt.AddHours(1)));

        Assert.Equal(CreatedAt.AddDays(3), (await Load())!.LastInteractionAt);
    }

    [Fact]
    public async Task Columns_another_service_owns_survive_every_update()
    {
        await Apply(Created(Snapshot(id, 1)));
        // As the Revenue consumers will write it.
        await db.Database.ScalarAsync<int>("update segments.contacts set purchase_count = 3 where tenant_id = $1 and id = $2", tenant, id);
        await Apply(Updated(Snapshot(id, 2)));
        await Apply(new TagAdded(Guid.Empty, id, "won-back", Snapshot(id, 3) with { Tags = ["vip", "won-back"] }, CreatedAt.AddMinutes(3)));

        Assert.Equal("(3,3,\"{vip,won-back}\")", await Row("version, purchase_count, tags"));
    }

    [Fact]
    public async Task Messages_from_before_versions_are_ordered_by_their_update_time()
    {
        await Apply(Updated(Snapshot(id, 0, "newer") with { UpdatedAt = CreatedAt.AddHours(2) }));
        await Apply(Updated(Snapshot(id, 0, "older") with { UpdatedAt = CreatedAt.AddHours(1) }));
        Assert.Equal("(0,newer)", await Row("version, first_name"));

        await Apply(Updated(Snapshot(id, 1, "versioned") with { UpdatedAt = CreatedAt }));
        Assert.Equal("(1,versioned)", await Row("version, first_name"));
    }

    [Fact]
    public async Task A_state_change_without_a_state_time_dates_the_state_from_the_change()
    {
        var changedAt = CreatedAt.AddDays(4);
        var moved = Snapshot(id, 2) with { LeadState = "qualified", StateEnteredAt = null };
        await Apply(new LeadStateChanged(Guid.Empty, id, Guid.NewGuid(), null, "new", Guid.NewGuid(), "qualified", false, null, null, null, "user", null,
            moved, changedAt));
        await Apply(Updated(moved with { Version = 3, FirstName = "still qualified" }));

        Assert.Equal(changedAt, (await Load())!.StateEnteredAt);
    }

    [Fact]
    public async Task Consent_is_dated_from_the_first_snapshot_that_shows_it()
    {
        await Apply(Created(Snapshot(id, 1)));
        await Apply(Updated(Snapshot(id, 2) with { MarketingConsent = true }));
        await Apply(Updated(Snapshot(id, 3) with { MarketingConsent = true }));
        Assert.Equal(CreatedAt.AddMinutes(2), (await Load())!.ConsentAt);

        await Apply(Updated(Snapshot(id, 4)));
        Assert.Null((await Load())!.ConsentAt);
    }
}
