using System.Net;
using System.Net.Http.Json;
using GrowthOps.Contracts.Leads;
using MassTransit;

namespace GrowthOps.Leads.Tests.StateMachines;

public sealed class Running_the_lead_lifecycle(LeadsApp app) : IClassFixture<LeadsApp>
{
    async Task<(HttpClient Client, Guid Tenant)> TenantWithDormancy(double seconds)
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/leads/settings", new { dormancy_period_seconds = seconds }, LeadsApp.Json)).StatusCode);
        return (client, tenant);
    }

    [Fact]
    public async Task A_tenant_reads_back_the_dormancy_period_it_set_and_starts_with_the_default()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var defaultPeriod = (await (await client.GetAsync("/api/leads/settings")).Json()).GetProperty("dormancy_period_seconds").GetDouble();
        Assert.Equal(TimeSpan.FromDays(30).TotalSeconds, defaultPeriod);

        Assert.Equal(HttpStatusCode.OK, (await client.PutAsJsonAsync("/api/leads/settings", new { dormancy_period_seconds = 3600 }, LeadsApp.Json)).StatusCode);
        Assert.Equal(3600, (await (await client.GetAsync("/api/leads/settings")).Json()).GetProperty("dormancy_period_seconds").GetDouble());
    }

    async Task<string?> StateOf(HttpClient client, Guid id) =>
        (await (await client.GetAsync($"/api/leads/contacts/{id}")).Json()).GetProperty("lead_state").GetString();

    [Fact]
    public async Task A_lead_without_activity_goes_dormant_after_the_tenants_period_as_a_system_transition()
    {
        var (client, tenant) = await TenantWithDormancy(2);
        var id = await client.CreateContact("quiet@example.com");

        var dormant = await app.Events.WaitFor<LeadWentDormant>(e => e.ContactId == id, TimeSpan.FromSeconds(20));
        Assert.Equal(tenant, dormant.TenantId);
        Assert.Equal("dormant", await StateOf(client, id));
        var history = await (await client.GetAsync($"/api/leads/contacts/{id}/history")).Json();
        var last = history.EnumerateArray().Last();
        Assert.Equal("system", last.GetProperty("source").GetString());
        Assert.Equal("new", last.GetProperty("from_state").GetString());
        Assert.True(last.GetProperty("seconds_in_previous_state").GetDouble() >= 1.9);
    }

    [Fact]
    public async Task Activity_postpones_dormancy_and_reactivates_a_dormant_lead()
    {
        var (client, _) = await TenantWithDormancy(3);
        var id = await client.CreateContact("busy@example.com");
        var created = DateTimeOffset.UtcNow;

        // Keep the lead busy past its first deadline; each activity restarts the period.
        DateTimeOffset lastActivity;
        do
        {
            await client.Post("/api/leads/activities", new { type = "page.viewed", contact_id = id });
            lastActivity = DateTimeOffset.UtcNow;
            await Eventually.Until(() => Task.FromResult(DateTimeOffset.UtcNow), now => now >= lastActivity.AddSeconds(1));
        } while (DateTimeOffset.UtcNow < created.AddSeconds(4.5));

        Assert.Equal("new", await StateOf(client, id));
        var dormant = await app.Events.WaitFor<LeadWentDormant>(e => e.ContactId == id, TimeSpan.FromSeconds(20));
        Assert.True(dormant.OccurredAt >= lastActivity.AddSeconds(2.9), $"went dormant at {dormant.OccurredAt:O}, last activity {lastActivity:O}");

        await client.Post("/api/leads/activities", new { type = "email.clicked", contact_id = id });
        await Eventually.Until(() => StateOf(client, id), s => s == "contacted", because: "new activity reactivates the lead");
        var history = await (await client.GetAsync($"/api/leads/contacts/{id}/history")).Json();
        Assert.Equal(["dormant", "contacted"], history.EnumerateArray().Select(h => h.GetProperty("to_state").GetString()));
    }

    [Fact]
    public async Task Won_leads_are_closed_and_never_go_dormant()
    {
        var (client, _) = await TenantWithDormancy(2);
        var won = await client.CreateContact("buyer@example.com");
        foreach (var state in new[] { "contacted", "qualified", "proposal", "negotiation", "won" })
            Assert.Equal(HttpStatusCode.Created, (await client.Post($"/api/leads/contacts/{won}/transitions", new { to_state = state })).StatusCode);
        var idle = await client.CreateContact("idle@example.com");

        // The idle lead, created after the win with the same period, going dormant shows the won lead's time has passed.
        await app.Events.WaitFor<LeadWentDormant>(e => e.ContactId == idle, TimeSpan.FromSeconds(20));
        Assert.Equal("won", await StateOf(client, won));
        Assert.DoesNotContain(app.Events.Received<LeadWentDormant>(), e => e.ContactId == won);
    }

    [Fact]
    public async Task A_duplicated_timeout_moves_the_lead_once()
    {
        var (client, tenant) = await TenantWithDormancy(3600);
        var id = await client.CreateContact("dup@example.com");
        await Eventually.Until(() => app.Database.ScalarAsync<string>("select coalesce(max(current_state), '') from leads.lead_lifecycle_state where correlation_id = $1", id),
            s => s == "Active");

        var queue = await app.Events.Bus.GetSendEndpoint(new Uri("queue:leads-lead-lifecycle-state"));
        var messageId = NewId.NextGuid();
        await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => queue.Send(new GrowthOps.Leads.StateMachines.LeadDormancyTimeout(tenant, id, DateTimeOffset.UtcNow),
            c => c.MessageId = messageId)));
        // A second, distinct timeout finds the lead already dormant and changes nothing.
        await queue.Send(new GrowthOps.Leads.StateMachines.LeadDormancyTimeout(tenant, id, DateTimeOffset.UtcNow));

        await app.Events.WaitFor<LeadWentDormant>(e => e.ContactId == id);
        await Eventually.Until(() => app.Database.ScalarAsync<long>("select count(*) from leads.inbox_state where consumer like 'leads-lead-lifecycle-state/%'"),
            n => n >= 3, because: "every distinct message has been consumed");
        Assert.Equal(1L, await app.Database.ScalarAsync<long>(
            "select count(*) from leads.lead_state_history h join leads.lead_states s on s.id = h.to_state_id where h.contact_id = $1 and s.name = 'dormant'", id));
    }
}
