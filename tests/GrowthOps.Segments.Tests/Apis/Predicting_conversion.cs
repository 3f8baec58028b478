using System.Net;
using System.Text;
using System.Text.Json;
using GrowthOps.Segments.Consumers;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.ReadModel;
using Microsoft.Extensions.DependencyInjection;
using static GrowthOps.Segments.Tests.Infrastructure.LeadsContacts;

namespace GrowthOps.Segments.Tests.Apis;

/// <summary>
/// Predictive segments end to end on a synthetic tenant whose won contacts visited the pricing page far more often than its
/// lost ones: the propensity model learns it (AUC measured on held-out contacts), <c>predicted_conversion</c> becomes a
/// criteria field that follows events, and refinement proposes the pricing-page condition with its measured precision.
/// </summary>
public sealed class Predicting_conversion(SegmentsApp app) : IClassFixture<SegmentsApp>
{
    const string Pricing = "pricing_page";
    const string Opened = "email.opened";
    static readonly DateTimeOffset ClosedAt = DateTimeOffset.UtcNow.AddDays(-2);

    static StringContent Body(string json) => new(json, Encoding.UTF8, "application/json");

    static async Task<JsonElement> Json(HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{response.StatusCode}: {text}");
        return JsonSerializer.Deserialize<JsonElement>(text);
    }

    /// <summary>
    /// Closed contacts (won, lost) and open ones, through the read model's own write path: won contacts visited the pricing
    /// page 3–6 times before closing, lost ones at most once; both opened emails at random (noise). Open contacts visited it
    /// <paramref name="openVisits"/> times each.
    /// </summary>
    async Task<(List<Guid> Won, List<Guid> Lost, List<Guid> Open)> Tenant(Guid tenant, int won, int lost, int[] openVisits, int seed)
    {
        var random = new Random(seed);
        var ids = (Won: new List<Guid>(), Lost: new List<Guid>(), Open: new List<Guid>());
        await app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            async Task Add(string state, int pricingVisits, List<Guid> into)
            {
                var id = Guid.NewGuid();
                into.Add(id);
                await updater.ApplyAsync(Snapshot(id, 1) with { LeadState = state, StateEnteredAt = state == "qualified" ? CreatedAt : ClosedAt }, default);
                for (var i = 0; i < pricingVisits; i++)
                    await updater.RecordAsync(Activity(id, ClosedAt.AddDays(-3 - i), Pricing), default);
                for (var i = random.Next(0, 4); i > 0; i--)
                    await updater.RecordAsync(Activity(id, ClosedAt.AddDays(-1 - i), Opened), default);
            }

            for (var i = 0; i < won; i++)
                await Add("won", random.Next(3, 7), ids.Won);
            for (var i = 0; i < lost; i++)
                await Add(i % 2 == 0 ? "Lost" : "lost", random.Next(0, 2), ids.Lost);
            foreach (var visits in openVisits)
                await Add("qualified", visits, ids.Open);
        });
        return ids;
    }

    async Task<decimal?> Predicted(Guid tenant, Guid contact)
    {
        decimal? value = null;
        await app.InTenantAsync(tenant, async services =>
            value = (await services.GetRequiredService<ContactFactsStore>().LoadAsync(contact, default))!.PredictedConversion);
        return value;
    }

    [Fact]
    public async Task A_tenant_whose_winners_read_the_pricing_page_gets_a_model_that_ranks_held_out_contacts_well()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (_, _, open) = await Tenant(tenant, 120, 120, [0, 6], seed: 1);

        var before = await Json(await client.GetAsync("/api/segments/predictive"), HttpStatusCode.OK);
        Assert.Equal("untrained", before.GetProperty("status").GetString());
        Assert.Equal(120, before.GetProperty("won").GetInt32());
        Assert.Null(await Predicted(tenant, open[0]));

        var trained = await Json(await client.PostAsync("/api/segments/predictive/train", null), HttpStatusCode.OK);
        var model = trained.GetProperty("model");
        Assert.Equal("trained", model.GetProperty("status").GetString());
        Assert.Equal(120, model.GetProperty("won").GetInt32());
        Assert.Equal(120, model.GetProperty("lost").GetInt32());
        Assert.Equal(240, model.GetProperty("training_contacts").GetInt32() + model.GetProperty("held_out_contacts").GetInt32());
        Assert.InRange(model.GetProperty("held_out_contacts").GetInt32(), 30, 90);
        Assert.True(model.GetProperty("auc").GetDouble() > 0.9, $"held-out AUC {model.GetProperty("auc")}");
        var pricingWeight = model.GetProperty("coefficients").EnumerateArray()
            .Single(c => c.GetProperty("feature").GetString() == $"activity_count:{Pricing}").GetProperty("weight").GetDouble();
        Assert.True(pricingWeight > 0, "more pricing-page visits predict winning");
        Assert.Equal(242, trained.GetProperty("contacts_repredicted").GetInt32());

        // Every contact has a prediction, the eager reader above the one who never visited.
        Assert.True(await Predicted(tenant, open[1]) > 50 + await Predicted(tenant, open[0]));
        var again = await Json(await client.GetAsync("/api/segments/predictive"), HttpStatusCode.OK);
        Assert.Equal(model.GetProperty("trained_at").GetString(), again.GetProperty("trained_at").GetString());
        Assert.Equal(model.GetProperty("auc").GetDouble(), again.GetProperty("auc").GetDouble());
    }

    [Fact]
    public async Task Predicted_conversion_is_a_criteria_field_that_follows_the_contacts_events()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (_, _, open) = await Tenant(tenant, 60, 60, [0, 6, 0], seed: 2);
        await Json(await client.PostAsync("/api/segments/predictive/train", null), HttpStatusCode.OK);

        var segment = await Json(await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Likely buyers", "type": "predictive", "criteria": [{"field": "predicted_conversion", "operator": "greater_than", "value": 50},
              {"field": "lead_state", "operator": "equals", "value": "qualified"}], "criteria_logic": "AND"}
            """)), HttpStatusCode.Created);
        var segmentId = segment.GetProperty("id").GetGuid();
        Assert.Equal(1, segment.GetProperty("member_count").GetInt32());

        // Five pricing-page visits by the third open contact: its prediction moves with the events, and it enters (per event).
        await app.InTenantAsync(tenant, async services =>
        {
            var updater = services.GetRequiredService<ReadModelUpdater>();
            for (var i = 0; i < 5; i++)
                await updater.RecordAsync(Activity(open[2], DateTimeOffset.UtcNow.AddHours(-1 - i), Pricing), default);
        });
        Assert.True(await Predicted(tenant, open[2]) > 50);
        var members = await Json(await client.GetAsync($"/api/segments/segments/{segmentId}/members"), HttpStatusCode.OK);
        Assert.Equal(new[] { open[1], open[2] }.Order(), members.GetProperty("items").EnumerateArray().Select(m => m.GetProperty("contact_id").GetGuid()).Order());

        // The set-based refresh (SQL) agrees with what the events (in memory) left.
        var refresh = await Json(await client.PostAsync($"/api/segments/segments/{segmentId}/refresh", null), HttpStatusCode.OK);
        Assert.Equal(0, refresh.GetProperty("added").GetInt32());
        Assert.Equal(0, refresh.GetProperty("removed").GetInt32());
        Assert.Equal(2, refresh.GetProperty("member_count").GetInt32());
    }

    [Fact]
    public async Task Refinement_suggests_the_pricing_page_condition_with_its_precision_on_held_out_members()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        await Tenant(tenant, 120, 120, [0, 1, 4, 6], seed: 3);
        var segment = await Json(await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Verified", "type": "predictive", "use_ai_refinement": true,
             "criteria": [{"field": "email_verified", "operator": "equals", "value": true}]}
            """)), HttpStatusCode.Created);
        var segmentId = segment.GetProperty("id").GetGuid();

        var refinement = await Json(await client.GetAsync($"/api/segments/segments/{segmentId}/refinement"), HttpStatusCode.OK);

        Assert.Equal(120, refinement.GetProperty("won").GetInt32());
        Assert.Equal(120, refinement.GetProperty("lost").GetInt32());
        var top = refinement.GetProperty("suggestions")[0];
        var condition = top.GetProperty("condition");
        Assert.Equal(Pricing, condition.GetProperty("activity").GetString());
        Assert.True(condition.GetProperty("has_done").GetBoolean());
        var atLeast = condition.GetProperty("at_least").GetInt32();
        Assert.InRange(atLeast, 2, 3);
        Assert.True(top.GetProperty("precision").GetDouble() > 0.9, $"precision {top.GetProperty("precision")}");
        Assert.True(top.GetProperty("recall").GetDouble() > 0.9, $"recall {top.GetProperty("recall")}");
        Assert.True(top.GetProperty("lift").GetDouble() > 1.6, $"lift {top.GetProperty("lift")}");
        Assert.InRange(top.GetProperty("support").GetInt32(), 15, 60);
        Assert.Equal(120 + (atLeast <= 4 ? 2 : 1), top.GetProperty("member_count").GetInt32());

        // Appended verbatim, the condition gives the segment the member count the suggestion announced.
        var patched = await Json(await client.PatchAsync($"/api/segments/segments/{segmentId}", Body($$"""
            {"criteria": [{"field": "email_verified", "operator": "equals", "value": true}, {{condition.GetRawText()}}], "criteria_logic": "AND"}
            """)), HttpStatusCode.OK);
        Assert.Equal(top.GetProperty("member_count").GetInt32(), patched.GetProperty("member_count").GetInt32());
    }

    [Fact]
    public async Task Too_little_history_is_said_plainly_and_leaves_predictions_empty()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (_, _, open) = await Tenant(tenant, 29, 40, [3], seed: 4);

        var trained = await Json(await client.PostAsync("/api/segments/predictive/train", null), HttpStatusCode.OK);
        var model = trained.GetProperty("model");
        Assert.Equal("insufficient_history", model.GetProperty("status").GetString());
        Assert.Equal(30, model.GetProperty("min_outcomes").GetInt32());
        Assert.Contains("29 won and 40 lost", model.GetProperty("reason").GetString());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("auc").ValueKind);
        Assert.Empty(model.GetProperty("coefficients").EnumerateArray());
        Assert.Null(await Predicted(tenant, open[0]));

        var segment = await Json(await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Few", "criteria": [{"field": "score", "operator": "greater_than", "value": 0}]}
            """)), HttpStatusCode.Created);
        var segmentId = segment.GetProperty("id").GetGuid();
        var off = await Json(await client.GetAsync($"/api/segments/segments/{segmentId}/refinement"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("use_ai_refinement", off.GetProperty("detail").GetString());
        var wonOnly = await Json(await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Won only", "criteria": [{"field": "lead_state", "operator": "equals", "value": "won"}]}
            """)), HttpStatusCode.Created);
        var few = await Json(await client.GetAsync($"/api/segments/segments/{wonOnly.GetProperty("id").GetGuid()}/refinement?force=true"),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Not enough outcome history", few.GetProperty("detail").GetString());
        Assert.Contains("29 won and 0 lost", few.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task A_tenant_sees_only_its_own_model_and_cannot_refine_another_tenants_segment()
    {
        var tenant = Guid.NewGuid();
        var other = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (_, _, open) = await Tenant(tenant, 40, 40, [6], seed: 5);
        await Tenant(other, 5, 5, [6], seed: 6);
        await Json(await client.PostAsync("/api/segments/predictive/train", null), HttpStatusCode.OK);
        var segment = await Json(await client.PostAsync("/api/segments/segments", Body("""
            {"name": "Mine", "use_ai_refinement": true, "criteria": [{"field": "score", "operator": "greater_than", "value": 0}]}
            """)), HttpStatusCode.Created);

        var others = app.ClientFor(other);
        var theirs = await Json(await others.GetAsync("/api/segments/predictive"), HttpStatusCode.OK);
        Assert.Equal("untrained", theirs.GetProperty("status").GetString());
        Assert.Equal(5, theirs.GetProperty("won").GetInt32());
        await Json(await others.GetAsync($"/api/segments/segments/{segment.GetProperty("id").GetGuid()}/refinement"), HttpStatusCode.NotFound);

        // The other tenant's training touches only its own contacts.
        await Json(await others.PostAsync("/api/segments/predictive/train", null), HttpStatusCode.OK);
        Assert.NotNull(await Predicted(tenant, open[0]));
        Assert.Equal("trained", (await Json(await client.GetAsync("/api/segments/predictive"), HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task The_service_declares_the_daily_training_and_its_message_trains_every_tenant_with_outcomes()
    {
        var cron = await Eventually.Until(() => app.Database.ScalarAsync<string>(
                "select cron_expression from segments.scheduled_message where schedule_id = $1 and not cancelled", PropensityTrainingSchedule.ScheduleId),
            c => c is not null, TimeSpan.FromSeconds(20), "the recurring schedule is stored");
        Assert.Equal(new PredictiveOptions().TrainingCron, cron);

        var first = Guid.NewGuid();
        var second = Guid.NewGuid();
        var (_, _, open) = await Tenant(first, 40, 40, [6], seed: 7);
        await Tenant(second, 3, 3, [], seed: 8);

        // What each occurrence sends: a request for every tenant, which fans out one training per tenant with outcomes.
        await app.Bus.Bus.Publish(new TrainPropensity(null));
        await Eventually.Until(async () => (await Json(await app.ClientFor(first).GetAsync("/api/segments/predictive"), HttpStatusCode.OK))
            .GetProperty("status").GetString(), s => s == "trained", TimeSpan.FromSeconds(30), "the first tenant is trained");
        await Eventually.Until(async () => (await Json(await app.ClientFor(second).GetAsync("/api/segments/predictive"), HttpStatusCode.OK))
            .GetProperty("status").GetString(), s => s == "insufficient_history", TimeSpan.FromSeconds(30), "the second tenant is told why not");
        Assert.NotNull(await Predicted(first, open[0]));
    }
}
