using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Consumers;

/// <summary>The consumers on the real bus: Leads' events published through RabbitMQ in any order, some twice, into the running service.</summary>
public sealed class Consuming_leads_events(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    [Fact]
    public async Task Shuffled_and_repeated_events_build_the_read_model_of_the_published_order()
    {
        var (a, b, c) = (Guid.CreateVersion7(), Guid.CreateVersion7(), Guid.CreateVersion7());
        var published = new List<object>
        {
            Created(Snapshot(a, 1)),
            new TagAdded(Guid.Empty, a, "trial", Snapshot(a, 2) with { Tags = ["vip", "trial"] }, CreatedAt.AddMinutes(2)),
            new LeadStateChanged(Guid.Empty, a, Guid.NewGuid(), null, "new", Guid.NewGuid(), "qualified", false, null, null, null, "user", 60,
                Snapshot(a, 3) with { Tags = ["vip", "trial"], LeadState = "qualified", StateEnteredAt = CreatedAt.AddMinutes(3) }, CreatedAt.AddMinutes(3)),
            Activity(a, CreatedAt.AddHours(1)),
            Activity(a, CreatedAt.AddHours(2), "email.opened"),
            Updated(Snapshot(a, 4) with { Tags = ["vip", "trial"], LeadState = "qualified", StateEnteredAt = CreatedAt.AddMinutes(3), AiScore = 91 }),
            new TagRemoved(Guid.Empty, a, "vip", Snapshot(a, 5) with { Tags = ["trial"], LeadState = "qualified", StateEnteredAt = CreatedAt.AddMinutes(3),
                AiScore = 91 }, CreatedAt.AddMinutes(5)),
            Created(Snapshot(b, 1)),
            Activity(b, CreatedAt.AddHours(1)),
            Updated(Snapshot(b, 2)),
            Deleted(b, CreatedAt.AddHours(3)),
            Activity(c, CreatedAt.AddHours(1)),
            Created(Snapshot(c, 1)),
        };
        var (inOrder, onTheBus) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var message in published)
            await app.InTenantAsync(inOrder, services => ReadModelMessages.ApplyAsync(message,
                services.GetRequiredService<ReadModelUpdater>(), services.GetRequiredService<ReadModelRebuilder>()));
        var expected = await ReadModelDump.OfAsync(app.Database, inOrder);

        // Every message once in a shuffled order, then a third of them again: as redelivered (same message id, which the
        // inbox absorbs) or as published again (a new id, which the read model absorbs).
        var random = new Random(9);
        var deliveries = published.Select(m => (Message: m, Id: NewId.NextGuid())).OrderBy(_ => random.Next()).ToList();
        deliveries.AddRange(deliveries.Where((_, i) => i % 3 == 0).Select((d, i) => i % 2 == 0 ? d : d with { Id = NewId.NextGuid() }).ToList());
        foreach (var (message, id) in deliveries)
            await app.Bus.Bus.Publish(ReadModelMessages.ForTenant(message, onTheBus), context => context.MessageId = id);

        await Eventually.Until(() => ReadModelDump.OfAsync(app.Database, onTheBus), dump => dump == expected, TimeSpan.FromSeconds(30),
            "the read model built from the bus is the in-order one");
        // Whether b's deletion is announced depends on the order the consumers took: a ContactDeleted consumed before b's
        // ContactCreated leaves a tombstone with nothing to announce. Any deletion announced is b's, and only b's.
        Assert.All(app.Changes.Of(onTheBus).Where(ch => ch.Cause == ContactChangeCause.Deleted), ch => Assert.Equal([b], ch.ContactIds));
        // The consumers run concurrently, so how many of a's activities land after its ContactCreated (and are announced as
        // activities, not folded into a placeholder row) varies; a repeated one is never announced again.
        var announced = app.Changes.Of(onTheBus).Count(ch => ch.Cause == ContactChangeCause.Activity && ch.ContactIds.Contains(a));
        Assert.InRange(announced, 0, published.OfType<ActivityRecorded>().Count(m => m.ContactId == a));
    }

    [Fact]
    public async Task A_merge_moves_the_duplicates_activity_onto_the_survivor_and_tombstones_the_duplicate()
    {
        var tenant = Guid.NewGuid();
        var (survivor, duplicate) = (Guid.CreateVersion7(), Guid.CreateVersion7());
        foreach (var message in new object[]
                 {
                     Created(Snapshot(survivor, 1)), Created(Snapshot(duplicate, 1)),
                     Activity(survivor, CreatedAt.AddHours(1)), Activity(duplicate, CreatedAt.AddHours(2)), Activity(duplicate, CreatedAt.AddHours(3)),
                 })
            await app.Bus.Bus.Publish(ReadModelMessages.ForTenant(message, tenant));
        const string Totals = "select coalesce(sum(count), 0) from segments.contact_activity where contact_id = $1 and type = 'checkout.completed'";
        await Eventually.Until(async () => await app.Database.ScalarAsync<long>(Totals, survivor) + await app.Database.ScalarAsync<long>(Totals, duplicate),
            n => n == 3, TimeSpan.FromSeconds(30), "the three activities are in");

        var merged = Snapshot(survivor, 3) with { Tags = ["vip", "trial"] };
        await app.Bus.Bus.Publish(new ContactsMerged(tenant, survivor, duplicate, $"c-{duplicate:N}@example.com", [$"c-{duplicate:N}@example.com"], merged,
            "user-1", DateTimeOffset.UtcNow));
        await Eventually.Until(() => app.Database.ScalarAsync<bool>("select deleted from segments.contacts where id = $1", duplicate), d => d,
            TimeSpan.FromSeconds(30), "the duplicate is a tombstone");
        Assert.Equal(3, await app.Database.ScalarAsync<long>(Totals, survivor));
        Assert.Equal(3, await app.Database.ScalarAsync<long>("select count(*) from segments.activities where contact_id = $1", survivor));
        Assert.Equal(3, await app.Database.ScalarAsync<long>("select version from segments.contacts where id = $1", survivor));
        Assert.Contains(app.Changes.Of(tenant), ch => ch.Cause == ContactChangeCause.Deleted && ch.ContactIds.Contains(duplicate));
    }
}
