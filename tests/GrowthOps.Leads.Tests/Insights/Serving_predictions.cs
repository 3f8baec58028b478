using System.Net;
using System.Text.Json;

namespace GrowthOps.Leads.Tests.Insights;

public sealed class Serving_predictions(LeadsApp app) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task A_prediction_is_stored_then_served_from_cache_and_computed_again_once_the_contact_moves()
    {
        var client = app.ClientFor(Guid.NewGuid());
        for (var i = 0; i < 4; i++)
            await client.Move(await client.CreateContact($"closed{i}@example.com"), "contacted", "qualified", "proposal");
        var id = await client.CreateContact("subject@example.com");
        await client.Move(id, "contacted", "qualified");

        var (status, first) = await client.Predict(id);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.Equal("qualified", first.GetProperty("from_state").GetString());
        Assert.Equal("proposal", first.GetProperty("predicted_state").GetString());
        Assert.Equal("markov-v1", first.GetProperty("model").GetString());
        Assert.False(first.GetProperty("cached").GetBoolean());
        var probabilities = first.GetProperty("probabilities").EnumerateArray().ToList();
        Assert.Equal(new[] { "dormant", "lost", "proposal" }, probabilities.Select(p => p.GetProperty("state").GetString()).Order());
        Assert.Equal(1.0, probabilities.Sum(p => p.GetProperty("probability").GetDouble()), 6);
        Assert.Equal(probabilities.Select(p => p.GetProperty("probability").GetDouble()).OrderDescending(),
            probabilities.Select(p => p.GetProperty("probability").GetDouble()));
        Assert.True(first.Probability("proposal") > 0.8, $"p(proposal) = {first.Probability("proposal")}");
        Assert.InRange(first.GetProperty("confidence").GetDouble(), 0.3, first.Probability("proposal"));
        var features = first.GetProperty("features");
        Assert.Equal("qualified", features.GetProperty("current_state").GetString());
        Assert.Equal(4, features.GetProperty("observed_transitions_from_state").GetInt32());
        Assert.Equal(0, features.GetProperty("activities_30d").GetInt32());
        Assert.Equal(JsonValueKind.Null, features.GetProperty("days_since_last_activity").ValueKind);
        Assert.InRange(features.GetProperty("days_in_state").GetDouble(), 0, 0.01);
        Assert.True(features.GetProperty("engagement_factor").GetDouble() > 0);
        Assert.Equal(TimeSpan.FromMinutes(15),
            first.GetProperty("expires_at").GetDateTime() - first.GetProperty("created_at").GetDateTime());
        Assert.Equal(JsonValueKind.Null, first.GetProperty("correct").ValueKind);

        var (againStatus, again) = await client.Predict(id);
        Assert.Equal(HttpStatusCode.OK, againStatus);
        Assert.True(again.GetProperty("cached").GetBoolean());
        Assert.Equal(first.GetProperty("id").GetGuid(), again.GetProperty("id").GetGuid());
        Assert.Equal(first.Probability("proposal"), again.Probability("proposal"), 12);

        await client.Move(id, "proposal");
        var (afterStatus, after) = await client.Predict(id);
        Assert.Equal(HttpStatusCode.Created, afterStatus);
        Assert.NotEqual(first.GetProperty("id").GetGuid(), after.GetProperty("id").GetGuid());
        Assert.Equal("proposal", after.GetProperty("from_state").GetString());
        Assert.Equal("negotiation", after.GetProperty("predicted_state").GetString());

        var list = (await client.GetJson($"/api/leads/contacts/{id}/predictions")).GetProperty("items").EnumerateArray().ToList();
        Assert.Equal([after.GetProperty("id").GetGuid(), first.GetProperty("id").GetGuid()], list.Select(p => p.GetProperty("id").GetGuid()));
        Assert.Equal("proposal", list[1].GetProperty("outcome_state").GetString());
        Assert.True(list[1].GetProperty("correct").GetBoolean());
        Assert.Equal(JsonValueKind.Null, list[0].GetProperty("correct").ValueKind);
    }

    [Fact]
    public async Task An_expired_prediction_is_not_served()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact("expiring@example.com");
        var (_, first) = await client.Predict(id);
        await app.Database.ScalarAsync<int>("update leads.lead_state_predictions set expires_at = now() - interval '1 second' where id = $1",
            first.GetProperty("id").GetGuid());

        var (status, second) = await client.Predict(id);
        Assert.Equal(HttpStatusCode.Created, status);
        Assert.NotEqual(first.GetProperty("id").GetGuid(), second.GetProperty("id").GetGuid());
        Assert.Equal("contacted", second.GetProperty("predicted_state").GetString());
    }

    [Fact]
    public async Task Engagement_comes_from_the_activity_feed_and_an_idle_lead_leans_to_dormant()
    {
        var client = app.ClientFor(Guid.NewGuid());
        for (var i = 0; i < 6; i++)
            await client.Move(await client.CreateContact($"history{i}@example.com"), "contacted", i % 2 == 0 ? "qualified" : "dormant");

        var engaged = await client.CreateContact("engaged@example.com");
        var idle = await client.CreateContact("idle@example.com");
        await client.Move(engaged, "contacted");
        await client.Move(idle, "contacted");
        var now = DateTimeOffset.UtcNow;
        foreach (var (contact, daysAgo) in new[] { (engaged, 2.0), (engaged, 3.0), (engaged, 45.0), (idle, 60.0) })
        {
            var response = await client.Post("/api/leads/activities", new { type = "email_opened", contact_id = contact, occurred_at = now.AddDays(-daysAgo) });
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        var (_, forEngaged) = await client.Predict(engaged);
        var (_, forIdle) = await client.Predict(idle);

        var features = forEngaged.GetProperty("features");
        Assert.Equal(2, features.GetProperty("activities_30d").GetInt32());
        Assert.InRange(features.GetProperty("days_since_last_activity").GetDouble(), 1.99, 2.01);
        Assert.Equal(6, features.GetProperty("observed_transitions_from_state").GetInt32());
        Assert.InRange(forIdle.GetProperty("features").GetProperty("days_since_last_activity").GetDouble(), 59.99, 60.01);
        Assert.True(forIdle.Probability("dormant") > forEngaged.Probability("dormant"),
            $"idle {forIdle.Probability("dormant")} vs engaged {forEngaged.Probability("dormant")}");
        Assert.Equal("qualified", forEngaged.GetProperty("predicted_state").GetString());
        Assert.Equal("dormant", forIdle.GetProperty("predicted_state").GetString());
    }

    [Fact]
    public async Task Another_tenants_contact_is_not_found()
    {
        var owner = app.ClientFor(Guid.NewGuid());
        var id = await owner.CreateContact("private@example.com");
        Assert.Equal(HttpStatusCode.Created, (await owner.Predict(id)).Status);

        var other = app.ClientFor(Guid.NewGuid());
        Assert.Equal(HttpStatusCode.NotFound, (await other.PostAsync($"/api/leads/contacts/{id}/predictions", null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/leads/contacts/{id}/predictions")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await owner.PostAsync($"/api/leads/contacts/{Guid.NewGuid()}/predictions", null)).StatusCode);
        Assert.Equal(0, (await other.GetJson("/api/leads/stats")).GetProperty("prediction_accuracy").GetProperty("predictions").GetInt32());
    }
}
