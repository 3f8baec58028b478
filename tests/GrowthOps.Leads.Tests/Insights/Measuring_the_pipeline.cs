using System.Text.Json;

namespace GrowthOps.Leads.Tests.Insights;

public sealed class Measuring_the_pipeline(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task Metrics_show_contacts_in_each_state_time_spent_and_conversion_to_the_next_step()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (a, b, c) = (await client.CreateContact("a@example.com"), await client.CreateContact("b@example.com"), await client.CreateContact("c@example.com"));
        await client.CreateContact("customer@example.com", kind: "customer");
        await client.Move(a, "contacted", "qualified");
        await client.Move(b, "contacted");
        await client.Move(c, "lost");

        // Stays measured in milliseconds are useless to assert on: give the three stays in 'new' known lengths.
        foreach (var (contact, seconds) in new[] { (a, 100.0), (b, 200.0), (c, 600.0) })
            await app.Database.ScalarAsync<int>("""
                update leads.lead_state_history h set seconds_in_previous_state = $3
                from leads.lead_states s where s.tenant_id = h.tenant_id and s.id = h.from_state_id and s.name = 'new' and h.tenant_id = $1 and h.contact_id = $2
                """, tenant, contact, seconds);

        var metrics = await client.GetJson("/api/leads/metrics");
        var states = metrics.GetProperty("states").EnumerateArray().ToDictionary(s => s.GetProperty("state").GetString()!);
        Assert.Equal(["new", "contacted", "qualified", "proposal", "negotiation", "won", "lost", "dormant"],
            metrics.GetProperty("states").EnumerateArray().Select(s => s.GetProperty("state").GetString()));

        var fresh = states["new"];
        Assert.Equal(1, fresh.GetProperty("contacts").GetInt32());
        Assert.Equal(0, fresh.GetProperty("transitions_in").GetInt32());
        Assert.Equal(3, fresh.GetProperty("transitions_out").GetInt32());
        Assert.Equal(300, fresh.GetProperty("avg_seconds_in_state").GetDouble(), 6);
        Assert.Equal(200, fresh.GetProperty("median_seconds_in_state").GetDouble(), 6);
        Assert.Equal("contacted", fresh.GetProperty("next_state").GetString());
        Assert.Equal(2, fresh.GetProperty("transitions_to_next").GetInt32());
        Assert.Equal(2.0 / 3, fresh.GetProperty("conversion_to_next").GetDouble(), 6);

        var contacted = states["contacted"];
        Assert.Equal((1, 2, 1), (contacted.GetProperty("contacts").GetInt32(), contacted.GetProperty("transitions_in").GetInt32(),
            contacted.GetProperty("transitions_out").GetInt32()));
        Assert.Equal(1.0, contacted.GetProperty("conversion_to_next").GetDouble());
        Assert.True(contacted.GetProperty("avg_seconds_in_state").GetDouble() >= 0);

        var qualified = states["qualified"];
        Assert.Equal(1, qualified.GetProperty("contacts").GetInt32());
        Assert.Equal(JsonValueKind.Null, qualified.GetProperty("conversion_to_next").ValueKind);
        Assert.Equal(JsonValueKind.Null, qualified.GetProperty("avg_seconds_in_state").ValueKind);
        Assert.Equal(JsonValueKind.Null, qualified.GetProperty("median_seconds_in_state").ValueKind);

        Assert.Equal(1, states["lost"].GetProperty("contacts").GetInt32());
        Assert.Equal("won", states["negotiation"].GetProperty("next_state").GetString());
        Assert.Equal("contacted", states["dormant"].GetProperty("next_state").GetString());
        Assert.Equal(JsonValueKind.Null, states["won"].GetProperty("next_state").ValueKind);

        var stats = await client.GetJson("/api/leads/stats");
        Assert.Equal((4, 3, 1), (stats.GetProperty("contacts").GetInt32(), stats.GetProperty("leads").GetInt32(), stats.GetProperty("customers").GetInt32()));
        Assert.Equal(4, stats.GetProperty("transitions_30d").GetInt32());
    }

    [Fact]
    public async Task Stats_count_won_and_lost_prediction_accuracy_and_automation_executions()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var empty = await client.GetJson("/api/leads/stats");
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("won_rate").ValueKind);
        Assert.Equal(JsonValueKind.Null, empty.GetProperty("prediction_accuracy").GetProperty("accuracy").ValueKind);

        var (right, wrong, pending) = (await client.CreateContact("right@example.com"), await client.CreateContact("wrong@example.com"),
            await client.CreateContact("pending@example.com"));
        foreach (var contact in new[] { right, wrong, pending })
        {
            await client.Move(contact, "contacted", "qualified");
            Assert.Equal("proposal", (await client.Predict(contact)).Body.GetProperty("predicted_state").GetString());
        }

        await client.Move(right, "proposal", "negotiation", "won");
        await client.Move(wrong, "lost");
        var winner = await client.CreateContact("winner@example.com");
        await client.Move(winner, "contacted", "qualified", "proposal", "negotiation", "won");

        await InsertAutomationExecutions(tenant, right, "succeeded", "succeeded", "failed", "skipped");
        await InsertAutomationExecutions(Guid.NewGuid(), right, "succeeded");

        var stats = await client.GetJson("/api/leads/stats");
        var accuracy = stats.GetProperty("prediction_accuracy");
        Assert.Equal((3, 2, 1), (accuracy.GetProperty("predictions").GetInt32(), accuracy.GetProperty("resolved").GetInt32(),
            accuracy.GetProperty("correct").GetInt32()));
        Assert.Equal(0.5, accuracy.GetProperty("accuracy").GetDouble());

        Assert.Equal((2, 1), (stats.GetProperty("won").GetInt32(), stats.GetProperty("lost").GetInt32()));
        Assert.Equal(2.0 / 3, stats.GetProperty("won_rate").GetDouble(), 6);
        Assert.Equal(1.0 / 3, stats.GetProperty("lost_rate").GetDouble(), 6);
        Assert.Equal(3 * 2 + 3 + 1 + 5, stats.GetProperty("transitions_30d").GetInt32());

        var automations = stats.GetProperty("automation_executions");
        Assert.Equal((4, 2, 1, 1), (automations.GetProperty("total").GetInt32(), automations.GetProperty("succeeded").GetInt32(),
            automations.GetProperty("failed").GetInt32(), automations.GetProperty("skipped").GetInt32()));

        var predictions = (await client.GetJson($"/api/leads/contacts/{wrong}/predictions")).GetProperty("items");
        Assert.Equal("lost", predictions[0].GetProperty("outcome_state").GetString());
        Assert.False(predictions[0].GetProperty("correct").GetBoolean());
    }

    [Fact]
    public async Task A_move_after_the_predicted_stay_does_not_score_an_old_prediction_again()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact("wanderer@example.com");
        await client.Predict(id);
        await client.Move(id, "dormant", "contacted");

        var accuracy = (await client.GetJson("/api/leads/stats")).GetProperty("prediction_accuracy");
        Assert.Equal((1, 1, 0), (accuracy.GetProperty("predictions").GetInt32(), accuracy.GetProperty("resolved").GetInt32(),
            accuracy.GetProperty("correct").GetInt32()));
        var prediction = (await client.GetJson($"/api/leads/contacts/{id}/predictions")).GetProperty("items")[0];
        Assert.Equal("dormant", prediction.GetProperty("outcome_state").GetString());
    }

    [Fact]
    public async Task Another_tenant_sees_none_of_it()
    {
        var client = app.ClientFor(Guid.NewGuid());
        await client.Move(await client.CreateContact("mine@example.com"), "contacted");

        var other = app.ClientFor(Guid.NewGuid());
        var states = (await other.GetJson("/api/leads/metrics")).GetProperty("states").EnumerateArray().ToList();
        Assert.Equal(8, states.Count);
        Assert.All(states, s => Assert.Equal(0, s.GetProperty("contacts").GetInt32() + s.GetProperty("transitions_out").GetInt32()));
        var stats = await other.GetJson("/api/leads/stats");
        Assert.Equal((0, 0), (stats.GetProperty("contacts").GetInt32(), stats.GetProperty("transitions_30d").GetInt32()));
    }

    /// <summary>Executions as the automation engine records them (written directly: these tests are about counting them).</summary>
    async Task InsertAutomationExecutions(Guid tenant, Guid contact, params string[] statuses)
    {
        var automation = Guid.NewGuid();
        await app.Database.ScalarAsync<int>("""
            insert into leads.lead_state_automations (tenant_id, id, name, trigger) values ($1, $2, 'welcome', 'on_enter')
            """, tenant, automation);
        foreach (var status in statuses)
            await app.Database.ScalarAsync<int>("""
                insert into leads.automation_executions (tenant_id, id, automation_id, contact_id, history_id, status) values ($1, $2, $3, $4, $5, $6)
                """, tenant, Guid.NewGuid(), automation, contact, Guid.NewGuid(), status);
    }
}
