using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.StateMachines;

/// <summary>Its own database: the test counts every inbox row of the lifecycle saga.</summary>
public sealed class Ignoring_pipeline_moves(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task A_pipeline_move_of_an_active_lead_costs_the_lifecycle_no_transaction()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact("moving@example.com");
        await Eventually.Until(() => app.Database.ScalarAsync<string>("select coalesce(max(current_state), '') from leads.lead_lifecycle_state where correlation_id = $1", id),
            s => s == "Active");
        var version = await app.Database.ScalarAsync<long>("select version from leads.lead_lifecycle_state where correlation_id = $1", id);
        var inboxRows = await LifecycleInboxRows();

        (await client.Post($"/api/leads/contacts/{id}/transitions", new { to_state = "contacted" })).EnsureSuccessStatusCode();
        await app.Events.WaitFor<LeadStateChanged>(e => e.ContactId == id && e.ToState == "contacted");
        // A later message for the same saga, which the lifecycle does handle, shows the move has been dealt with.
        (await client.Post("/api/leads/activities", new { type = "page.viewed", contact_id = id })).EnsureSuccessStatusCode();
        await Eventually.Until(LifecycleInboxRows, n => n >= inboxRows + 1, because: "the activity is consumed");
        await Eventually.Until(() => app.VirtualHost.ReadyMessagesAsync("leads-lead-lifecycle-state"), n => n == 0, because: "the saga's queue is drained");
        Assert.Equal(inboxRows + 1, await LifecycleInboxRows());

        // The move was acknowledged by the precheck: no inbox row of its own, and only the activity changed the instance.
        Assert.Equal(version + 1, await app.Database.ScalarAsync<long>("select version from leads.lead_lifecycle_state where correlation_id = $1", id));
        Assert.Equal("Active", await app.Database.ScalarAsync<string>("select current_state from leads.lead_lifecycle_state where correlation_id = $1", id));
    }

    Task<long> LifecycleInboxRows() =>
        app.Database.ScalarAsync<long>("select count(*) from leads.inbox_state where consumer like 'leads-lead-lifecycle-state/%'");
}
