using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using Xunit.Abstractions;

namespace GrowthOps.Leads.Tests.Scoring;

/// <summary>The AI score through the service: moved by activities and announced, calibrated on a tenant's own history.</summary>
public sealed class Scoring_leads(LeadsApp app, ITestOutputHelper output) : IClassFixture<LeadsApp>
{
    [Fact]
    public async Task An_activity_moves_the_score_and_only_a_move_is_announced()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var id = await client.CreateContact(new { email = "active@example.com", company = "Example" });
        var created = await app.Events.WaitFor<ContactCreated>(e => e.Contact.Id == id);
        Assert.InRange(created.Contact.AiScore ?? -1, 0, 100);

        var batch = Enumerable.Range(0, 5).Select(_ => new { type = "page.viewed", contact_id = id }).ToArray();
        Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/activities/batch", new { activities = batch })).StatusCode);
        var scored = await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == id && e.ChangedFields.Contains("ai_score"));
        Assert.True(scored.Contact.AiScore > created.Contact.AiScore, $"{created.Contact.AiScore} → {scored.Contact.AiScore}");
        Assert.True(scored.Contact.Version > created.Contact.Version);
        Assert.NotNull(scored.Contact.LastInteractionAt);
        Assert.Equal(scored.Contact.AiScore, (await client.Contact(id)).GetProperty("ai_score").GetInt32());

        // A change the score does not read is announced without ai_score.
        await client.Patch($"/api/leads/contacts/{id}", new { first_name = "Ana" });
        var renamed = await app.Events.WaitFor<ContactUpdated>(e => e.Contact.Id == id && e.Contact.FirstName == "Ana");
        Assert.DoesNotContain("ai_score", renamed.ChangedFields);
        Assert.Equal(scored.Contact.AiScore, renamed.Contact.AiScore);
    }

    [Fact]
    public async Task A_contact_an_activity_creates_is_announced_once_with_its_score_after_the_activity()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var bare = await client.CreateContact(new { email = "bare@example.org" });
        var bareScore = (await client.Contact(bare)).GetProperty("ai_score").GetInt32();

        var recorded = await client.RecordActivity(new { type = "form.submitted", contact_email = "newcomer@example.org" });
        var id = recorded.GetProperty("contact_id").GetGuid();
        var created = await app.Events.WaitFor<ContactCreated>(e => e.Contact.Id == id);
        Assert.True(created.Contact.AiScore > bareScore, $"engaged {created.Contact.AiScore}, bare {bareScore}");
        Assert.NotNull(created.Contact.LastInteractionAt);
        await app.Events.WaitFor<ActivityRecorded>(e => e.ContactId == id);
        Assert.DoesNotContain(app.Events.Received<ContactUpdated>(), e => e.Contact.Id == id);
    }

    [Fact]
    public async Task Too_little_history_keeps_the_default_weights()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var won = await client.CreateContact("only-one@example.com");
        await client.Move(won, "contacted", "qualified", "proposal", "negotiation", "won");

        var model = await (await client.PostAsync("/api/leads/scoring/train", null)).Json();
        Assert.Equal("default", model.GetProperty("model").GetString());
        Assert.Equal(1, model.GetProperty("won").GetInt32());
        Assert.Equal(JsonValueKind.Null, model.GetProperty("auc").ValueKind);
        Assert.Contains("too little history", model.GetProperty("reason").GetString());
        Assert.Equal(12, model.GetProperty("coefficients").GetArrayLength());
    }

    /// <summary>
    /// A tenant whose buyers look nothing like the defaults' ideal lead: won contacts are engaged free-mail sign-ups from paid
    /// ads, lost ones companies with phones and senior titles from referrals who never did anything.
    /// </summary>
    [Fact]
    public async Task A_tenant_with_enough_history_gets_a_calibrated_score_that_ranks_held_out_contacts_better()
    {
        var client = app.ClientFor(Guid.NewGuid());
        var wonIds = new List<Guid>();
        var lostIds = new List<Guid>();
        for (var i = 0; i < 40; i++)
        {
            wonIds.Add(await client.CreateContact(new { email = $"buyer{i}@gmail.com", channel = "paid", company = i % 5 == 0 ? "Side Gig" : null }));
            lostIds.Add(await client.CreateContact(new
            {
                email = $"exec{i}@corp{i}.com", company = $"Corp {i}", phone = $"+1 555 01{i:00}", source = "referral",
                attributes = new { job_title = "VP Sales" },
            }));
        }

        var activities = wonIds.SelectMany(id => Enumerable.Range(0, 4 + wonIds.IndexOf(id) % 4).Select(_ => new { type = "app.used", contact_id = id }))
            .ToArray();
        Assert.Equal(HttpStatusCode.Created, (await client.Post("/api/leads/activities/batch", new { activities })).StatusCode);
        foreach (var state in new[] { "contacted", "qualified", "proposal", "negotiation", "won" })
            await Bulk(client, wonIds, state);
        await Bulk(client, lostIds, "lost");

        var response = await client.PostAsync("/api/leads/scoring/train", null);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var model = await response.Json();
        output.WriteLine(model.ToString());
        Assert.Equal("calibrated", model.GetProperty("model").GetString());
        var auc = model.GetProperty("auc").GetDouble();
        var defaultAuc = model.GetProperty("default_auc").GetDouble();
        Assert.True(auc > 0.8, $"calibrated AUC {auc}");
        Assert.True(auc > defaultAuc, $"calibrated AUC {auc}, default {defaultAuc}");
        Assert.Equal(80, model.GetProperty("training_contacts").GetInt32() + model.GetProperty("held_out_contacts").GetInt32());
        Assert.Equal(40, model.GetProperty("won").GetInt32());
        Assert.Equal(40, model.GetProperty("lost").GetInt32());

        var stats = (await client.GetJson("/api/leads/stats")).GetProperty("ai_scoring");
        Assert.Equal("calibrated", stats.GetProperty("model").GetString());
        Assert.Equal(auc, stats.GetProperty("auc").GetDouble());
        Assert.Equal(model.GetProperty("trained_at").GetDateTime(), stats.GetProperty("trained_at").GetDateTime());

        // Re-scoring after the training: every won contact ends above every lost one, and the moves are announced.
        await Eventually.Until(async () =>
        {
            var won = await Scores(client, "won");
            var lost = await Scores(client, "lost");
            return (Won: won.Min(), Lost: lost.Max());
        }, s => s.Won > s.Lost, TimeSpan.FromSeconds(30), "re-scoring ranks won above lost");
        await app.Events.WaitFor<ContactUpdated>(e => lostIds.Contains(e.Contact.Id) && e.ChangedFields.SequenceEqual(["ai_score"]));
    }

    static async Task Bulk(HttpClient client, List<Guid> ids, string state)
    {
        var response = await client.Post("/api/leads/transitions/bulk", new { contact_ids = ids, to_state = state });
        var result = await response.Json();
        Assert.True(result.GetProperty("failed").GetInt32() == 0, result.ToString());
    }

    static async Task<List<int>> Scores(HttpClient client, string state) =>
        (await client.GetJson($"/api/leads/contacts?state={state}&limit=100")).GetProperty("items").EnumerateArray()
        .Select(c => c.GetProperty("ai_score").GetInt32()).ToList();
}
