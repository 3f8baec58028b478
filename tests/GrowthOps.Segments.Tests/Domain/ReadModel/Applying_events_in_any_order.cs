using FsCheck.Xunit;
using GrowthOps.Contracts.Leads;
using Npgsql;

namespace GrowthOps.Segments.Tests.Domain.ReadModel;

/// <summary>
/// The ordering proof, against a real read model: Leads' messages delivered in any order, some twice, leave the
/// read model exactly as applying them once in the order Leads published them — one after the other, and concurrently.
/// Each delivery is its own transaction, as behind the inbox; the inbox is left out so that repeats reach the read model.
/// </summary>
public sealed class Applying_events_in_any_order(ReadModelDatabase db) : IClassFixture<ReadModelDatabase>
{
    [Property(MaxTest = 100, Arbitrary = [typeof(LeadsHistories)], QuietOnSuccess = true)]
    public async Task Shuffled_and_repeated_messages_give_the_read_model_of_the_published_order(LeadsHistory history)
    {
        var (inOrder, shuffled) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var message in history.Published)
            await db.ApplyAsync(inOrder, message);
        foreach (var message in history.Delivered)
            await db.ApplyAsync(shuffled, message);

        var expected = await ReadModelDump.OfAsync(db.Database, inOrder);
        Assert.Equal(expected, await ReadModelDump.OfAsync(db.Database, shuffled));
        await AssertIsTheLastPublishedState(inOrder, history.Published);
    }

    [Property(MaxTest = 30, Arbitrary = [typeof(LeadsHistories)], QuietOnSuccess = true)]
    public async Task Concurrent_deliveries_give_the_same_read_model(LeadsHistory history)
    {
        var (inOrder, concurrent) = (Guid.NewGuid(), Guid.NewGuid());
        foreach (var message in history.Published)
            await db.ApplyAsync(inOrder, message);
        await Parallel.ForEachAsync(history.Delivered, new ParallelOptions { MaxDegreeOfParallelism = 8 },
            async (message, _) => await WithRetryOnDeadlock(() => db.ApplyAsync(concurrent, message)));

        Assert.Equal(await ReadModelDump.OfAsync(db.Database, inOrder), await ReadModelDump.OfAsync(db.Database, concurrent));
    }

    /// <summary>Not just "the same both ways": the in-order read model holds each contact's newest snapshot, and counts each activity.</summary>
    async Task AssertIsTheLastPublishedState(Guid tenant, IReadOnlyList<object> published)
    {
        var deleted = published.OfType<ContactDeleted>().Select(d => d.ContactId).ToHashSet();
        var newest = published.Select(m => m.GetType().GetProperty("Contact")?.GetValue(m)).OfType<ContactSnapshot>()
            .GroupBy(s => s.Id).Select(g => g.MaxBy(s => s.Version)!).ToList();
        foreach (var s in newest)
        {
            var row = await db.Database.ScalarAsync<string>("""
                select case when deleted then 'deleted, ' || coalesce(email, 'no email') || ', ' || cardinality(tags) || ' tags'
                            else concat_ws('|', version, email, array_to_string(tags, ','), lead_state) end
                  from segments.contacts where tenant_id = $1 and id = $2
                """, tenant, s.Id);
            Assert.Equal(deleted.Contains(s.Id) ? "deleted, no email, 0 tags" : $"{s.Version}|{s.Email}|{string.Join(',', s.Tags)}|{s.LeadState}", row);
        }

        var activities = published.OfType<ActivityRecorded>().Where(a => !deleted.Contains(a.ContactId)).ToList();
        Assert.Equal(activities.Count, await db.Database.ScalarAsync<long>(
            "select coalesce(sum(count), 0) from segments.contact_activity where tenant_id = $1", tenant));
    }

    /// <summary>Deadlocks are retried by the consumers' retry policy; here by hand.</summary>
    static async Task WithRetryOnDeadlock(Func<Task> work)
    {
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await work();
                return;
            }
            catch (PostgresException e) when (e.SqlState == PostgresErrorCodes.DeadlockDetected && attempt < 5)
            {
            }
        }
    }
}
