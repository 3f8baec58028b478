using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;

namespace GrowthOps.Leads.Tests.Deals;

/// <summary>
/// Deals as a sales team keeps them: in the default sales pipeline (HubSpot's stages) or their own, on contacts, moved from
/// stage to stage with the time in each stage kept, won and lost on the bus for Revenue, and summed as a weighted pipeline.
/// </summary>
public sealed class Managing_deals(LeadsApp app) : IClassFixture<LeadsApp>
{
    static Task<JsonElement> Expect(HttpResponseMessage response, HttpStatusCode status) => response.Expect(status);

    static Task<JsonElement> CreateDeal(HttpClient client, object body) => client.Post("/api/leads/deals", body).ContinueWith(t => Expect(t.Result, HttpStatusCode.Created)).Unwrap();

    [Fact]
    public async Task A_tenant_starts_with_a_sales_pipeline_of_HubSpots_stages()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var pipelines = await client.GetJson("/api/leads/pipelines");
        var sales = Assert.Single(pipelines.EnumerateArray());
        Assert.True(sales.GetProperty("is_default").GetBoolean());
        Assert.Equal(["appointmentscheduled", "qualifiedtobuy", "presentationscheduled", "decisionmakerboughtin", "contractsent", "closedwon", "closedlost"],
            sales.GetProperty("stages").EnumerateArray().Select(s => s.GetProperty("key").GetString()!));
        var won = sales.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("key").GetString() == "closedwon");
        Assert.True(won.GetProperty("closed_won").GetBoolean());
        Assert.Equal(1.0m, won.GetProperty("probability").GetDecimal());
    }

    [Fact]
    public async Task A_deal_on_two_contacts_moves_through_its_stages_keeping_the_time_in_each_and_its_win_goes_on_the_bus()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var (ada, bob) = (await client.CreateContact($"ada@{tenant:N}.test"), await client.CreateContact($"bob@{tenant:N}.test"));

        var deal = await CreateDeal(client, new
        {
            name = "Acme annual plan", amount = 12_500.50m, currency = "eur", owner_id = "user-7", expected_close_date = "2027-01-31",
            source = "webinar", contact_ids = new[] { ada, bob }, external_ids = new { hubspot = "98765" }, attributes = new { seats = 40 },
        });
        var id = deal.GetProperty("id").GetGuid();
        Assert.Equal((12_500.50m, 1_250_050L, "EUR"), (deal.GetProperty("amount").GetDecimal(), deal.GetProperty("amount_minor").GetInt64(), deal.GetProperty("currency").GetString()));
        Assert.Equal(("appointmentscheduled", "open", 2_500.10m), (deal.GetProperty("stage").GetString(), deal.GetProperty("status").GetString(),
            deal.GetProperty("weighted_amount").GetDecimal()));
        Assert.Equal([ada, bob], deal.GetProperty("contact_ids").EnumerateArray().Select(c => c.GetGuid()));
        Assert.Equal("2027-01-31", deal.GetProperty("expected_close_date").GetString());
        var created = await app.Events.WaitFor<DealCreated>(e => e.DealId == id);
        Assert.Equal((1_250_050L, "EUR", "appointmentscheduled"), (created.AmountMinor, created.Currency, created.Stage));

        await Expect(await client.Post($"/api/leads/deals/{id}/stage", new { stage = "contractsent", triggered_by = "ae:user-7" }), HttpStatusCode.OK);
        var moved = await app.Events.WaitFor<DealStageChanged>(e => e.DealId == id.ToString() && e.StageTo == "contractsent");
        Assert.Equal(("appointmentscheduled", "api", "ae:user-7", 12_500.50m), (moved.StageFrom, moved.Source, moved.TriggeredBy, moved.Amount));
        Assert.Equal([ada, bob], moved.ContactIds!);

        var won = await Expect(await client.Post($"/api/leads/deals/{id}/stage", new { stage = "closedwon" }), HttpStatusCode.OK);
        Assert.Equal("won", won.GetProperty("status").GetString());
        Assert.Equal(JsonValueKind.String, won.GetProperty("closed_at").ValueKind);
        var dealWon = await app.Events.WaitFor<DealWon>(e => e.DealId == id);
        Assert.Equal((1_250_050L, 12_500.50m, "EUR", "webinar", "user-7"), (dealWon.AmountMinor, dealWon.Amount, dealWon.Currency, dealWon.Source, dealWon.OwnerId));

        // The same stage again changes nothing; the history has every entry with the time spent in the stage it left.
        await Expect(await client.Post($"/api/leads/deals/{id}/stage", new { stage = "closedwon" }), HttpStatusCode.OK);
        var history = (await client.GetJson($"/api/leads/deals/{id}/history")).EnumerateArray().ToList();
        Assert.Equal([null, "appointmentscheduled", "contractsent"], history.Select(h => h.GetProperty("from_stage").GetString()));
        Assert.Equal(["appointmentscheduled", "contractsent", "closedwon"], history.Select(h => h.GetProperty("to_stage").GetString()));
        Assert.Equal(JsonValueKind.Null, history[0].GetProperty("seconds_in_from").ValueKind);
        Assert.All(history.Skip(1), h => Assert.True(h.GetProperty("seconds_in_from").GetDouble() >= 0));
        Assert.Single(app.Events.Received<DealWon>(), e => e.DealId == id);

        // Filters: by contact, by status, by stage.
        Assert.Equal([id], (await client.GetJson($"/api/leads/deals?contact_id={bob}")).GetProperty("items").EnumerateArray().Select(d => d.GetProperty("id").GetGuid()));
        Assert.Empty((await client.GetJson("/api/leads/deals?status=open")).GetProperty("items").EnumerateArray());
        Assert.Single((await client.GetJson("/api/leads/deals?stage=closedwon&owner_id=user-7")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task Lost_reopened_and_edited_deals_keep_their_currency_rules()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var deal = await CreateDeal(client, new { name = "Tokyo office", amount = 1_200_000, currency = "JPY", stage = "qualifiedtobuy" });
        var id = deal.GetProperty("id").GetGuid();
        Assert.Equal(1_200_000L, deal.GetProperty("amount_minor").GetInt64());

        // Yen have no decimals; an unknown currency is refused; nothing is written by a refused change.
        var refused = await Expect(await client.Patch($"/api/leads/deals/{id}", new { amount = 10.5m }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("JPY has 0 decimal places", refused.GetProperty("detail").GetString());
        await Expect(await client.Patch($"/api/leads/deals/{id}", new { currency = "XYZ" }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1_200_000L, (await client.GetJson($"/api/leads/deals/{id}")).GetProperty("amount_minor").GetInt64());

        await Expect(await client.Post($"/api/leads/deals/{id}/stage", new { stage = "closedlost" }), HttpStatusCode.OK);
        await app.Events.WaitFor<DealLost>(e => e.DealId == id);
        var reopened = await Expect(await client.Patch($"/api/leads/deals/{id}", new { stage = "contractsent", owner_id = (string?)null, name = "Tokyo HQ" }),
            HttpStatusCode.OK);
        Assert.Equal(("open", "Tokyo HQ", JsonValueKind.Null, JsonValueKind.Null),
            (reopened.GetProperty("status").GetString(), reopened.GetProperty("name").GetString(), reopened.GetProperty("closed_at").ValueKind,
             reopened.GetProperty("owner_id").ValueKind));

        var stages = await Expect(await client.Post($"/api/leads/deals/{id}/stage", new { stage = "signed" }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("closedwon", stages.GetProperty("stages").EnumerateArray().Select(s => s.GetString()));
        await Expect(await client.Post("/api/leads/deals", new { name = "x", contact_ids = new[] { Guid.NewGuid() } }), HttpStatusCode.UnprocessableEntity);
        await Expect(await client.Post("/api/leads/deals", new { amount = 5 }), HttpStatusCode.BadRequest);
        await Expect(await client.Post("/api/leads/deals", new { name = "x", amount = -1 }), HttpStatusCode.BadRequest);
        await Expect(await client.Post($"/api/leads/deals/{Guid.NewGuid()}/stage", new { stage = "closedwon" }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task The_weighted_pipeline_sums_amount_times_probability_per_stage_owner_and_currency()
    {
        var client = app.ClientFor(Guid.NewGuid());
        // A worked example: 10,000 EUR at 20 % + 5,000 EUR at 90 % + 3,000 EUR at 90 % (other owner) = 2,000 + 4,500 + 2,700 = 9,200 EUR
        // weighted of 18,000; 1,000 USD at 40 %; a won deal is not in the open pipeline.
        await CreateDeal(client, new { name = "A", amount = 10_000, currency = "EUR", owner_id = "ana" });
        await CreateDeal(client, new { name = "B", amount = 5_000, currency = "EUR", owner_id = "ana", stage = "contractsent" });
        await CreateDeal(client, new { name = "C", amount = 3_000, currency = "EUR", owner_id = "ben", stage = "contractsent" });
        await CreateDeal(client, new { name = "D", amount = 1_000, currency = "USD", owner_id = "ben", stage = "qualifiedtobuy" });
        await CreateDeal(client, new { name = "E", amount = 99_999, currency = "EUR", owner_id = "ana", stage = "closedwon" });

        var sales = Assert.Single((await client.GetJson("/api/leads/pipelines/weighted")).EnumerateArray());
        var totals = sales.GetProperty("totals").EnumerateArray().ToDictionary(t => t.GetProperty("currency").GetString()!);
        Assert.Equal((3, 18_000m, 9_200m), (totals["EUR"].GetProperty("deals").GetInt32(), totals["EUR"].GetProperty("amount").GetDecimal(),
            totals["EUR"].GetProperty("weighted_amount").GetDecimal()));
        Assert.Equal((1, 1_000m, 400m), (totals["USD"].GetProperty("deals").GetInt32(), totals["USD"].GetProperty("amount").GetDecimal(),
            totals["USD"].GetProperty("weighted_amount").GetDecimal()));

        var contractSent = sales.GetProperty("stages").EnumerateArray().Single(s => s.GetProperty("stage").GetString() == "contractsent");
        Assert.Equal(7_200m, Assert.Single(contractSent.GetProperty("totals").EnumerateArray()).GetProperty("weighted_amount").GetDecimal());
        Assert.DoesNotContain(sales.GetProperty("stages").EnumerateArray(), s => s.GetProperty("stage").GetString() == "closedwon");
        var owners = sales.GetProperty("owners").EnumerateArray().ToDictionary(o => o.GetProperty("owner_id").GetString()!);
        Assert.Equal(6_500m, Assert.Single(owners["ana"].GetProperty("totals").EnumerateArray()).GetProperty("weighted_amount").GetDecimal());
        Assert.Equal(2, owners["ben"].GetProperty("totals").GetArrayLength());
    }

    [Fact]
    public async Task A_pipeline_of_its_own_takes_deals_and_another_tenant_sees_none_of_them()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var pipeline = await Expect(await client.Post("/api/leads/pipelines", new
        {
            name = "Partnerships",
            stages = new object[]
            {
                new { key = "intro", name = "Intro", probability = 0.1 }, new { key = "pilot", name = "Pilot", probability = 0.5 },
                new { key = "signed", name = "Signed", probability = 1, closed_won = true }, new { key = "dropped", name = "Dropped", probability = 0, closed_lost = true },
            },
        }), HttpStatusCode.Created);
        var pipelineId = pipeline.GetProperty("id").GetGuid();
        var deal = await CreateDeal(client, new { name = "Reseller", pipeline_id = pipelineId, stage = "pilot", amount = 200 });
        Assert.Equal(("pilot", 100m), (deal.GetProperty("stage").GetString(), deal.GetProperty("weighted_amount").GetDecimal()));
        await Expect(await client.Post($"/api/leads/deals/{deal.GetProperty("id").GetGuid()}/stage", new { stage = "closedwon" }), HttpStatusCode.UnprocessableEntity);
        await Expect(await client.Post("/api/leads/pipelines", new { name = "Partnerships", stages = new object[]
        {
            new { key = "a", name = "A", probability = 0.5 }, new { key = "b", name = "B", probability = 1, closed_won = true },
        } }), HttpStatusCode.Conflict);
        await Expect(await client.Post("/api/leads/pipelines", new { name = "Bad", stages = new object[]
        {
            new { key = "A B", name = "A", probability = 0.5 }, new { key = "b", name = "B", probability = 1, closed_won = true, closed_lost = true },
        } }), HttpStatusCode.BadRequest);

        var other = app.ClientFor(Guid.NewGuid());
        Assert.Empty((await other.GetJson("/api/leads/deals")).GetProperty("items").EnumerateArray());
        Assert.Equal(HttpStatusCode.NotFound, (await other.GetAsync($"/api/leads/deals/{deal.GetProperty("id").GetGuid()}")).StatusCode);
        await Expect(await other.Post("/api/leads/deals", new { name = "x", pipeline_id = pipelineId }), HttpStatusCode.UnprocessableEntity);
    }
}
