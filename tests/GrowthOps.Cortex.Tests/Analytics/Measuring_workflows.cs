using System.Net;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Cortex.Domain.Runs;
using static GrowthOps.Cortex.Tests.Infrastructure.Workflows;

namespace GrowthOps.Cortex.Tests.Analytics;

/// <summary>A/B splits (by weight, or a Thompson bandit on the goal) and the per-workflow analytics that show what they learned.</summary>
public sealed class Measuring_workflows(CortexApp app) : IClassFixture<CortexApp>
{
    [Fact]
    public async Task A_weighted_split_sends_traffic_by_weight_and_the_same_run_always_takes_the_same_branch()
    {
        var data = JsonSerializer.SerializeToElement(new { variants = new[] { new { id = "a", weight = 70 }, new { id = "b", weight = 30 } } });
        var split = new AbSplit(null!);
        var runs = Enumerable.Range(0, 10_000).Select(_ => Guid.NewGuid()).ToList();
        var chosen = new List<string>();
        foreach (var run in runs)
            chosen.Add((await split.ChooseAsync(data, Guid.Empty, run, "s1", default)).Variant);
        // 7,000 expected; the binomial's standard deviation is 46, so ±250 is over five of them.
        Assert.InRange(chosen.Count(v => v == "a"), 6_750, 7_250);
        foreach (var (run, variant) in runs.Zip(chosen).Take(100))
            Assert.Equal(variant, (await split.ChooseAsync(data, Guid.Empty, run, "s1", default)).Variant);
    }

    [Fact]
    public async Task A_thompson_split_moves_traffic_to_the_variant_that_reaches_the_goal_and_analytics_show_its_posterior()
    {
        var tenant = Guid.NewGuid();
        var client = app.ClientFor(tenant);
        var graph = new
        {
            nodes = new[]
            {
                Node("t1", "trigger", new { trigger_type = "subscription.trial_started" }),
                Node("s1", "ab_split", new { strategy = "thompson", variants = new[] { new { id = "a", weight = 1 }, new { id = "b", weight = 1 } } }),
                Node("w1", "wait_until", new { @event = "never.happens", timeout = new { amount = 8, unit = "seconds" } }),
                Node("end", "stop", new { }),
            },
            edges = new[] { Edge("t1", "s1"), Edge("s1", "w1", "a"), Edge("s1", "w1", "b"), Edge("w1", "end", "met"), Edge("w1", "end", "timeout") },
        };
        var created = await (await client.Post("/api/cortex/workflows",
            new { name = "Trial nurture", graph, reentry = "always", goal = new { @event = "subscription.created" } })).Expect(HttpStatusCode.Created);
        var workflowId = created.GetProperty("id").GetGuid();
        await (await client.PostAsync($"/api/cortex/workflows/{workflowId}/publish", null)).Expect(HttpStatusCode.Created);

        // Round one: 30 trials; every contact sent down "a" converts, none of "b".
        var first = await Trials(tenant, workflowId, client, 30);
        foreach (var (contact, variant) in first.Where(f => f.Variant == "a"))
            await Activity(tenant, contact, "subscription.created");
        await Eventually.Until(() => Runs(client, workflowId), r => r.Count == 30 && r.All(x => x.GetProperty("finished_at").ValueKind != JsonValueKind.Null),
            TimeSpan.FromSeconds(30), "round one ends: a converted, b timed out");
        var convertedA = first.Count(f => f.Variant == "a");
        Assert.InRange(convertedA, 3, 27); // with no evidence yet the bandit explores both

        // Round two: the posterior now favours a heavily.
        var second = await Trials(tenant, workflowId, client, 30);
        Assert.True(second.Count(s => s.Variant == "a") >= 26, $"a was chosen {second.Count(s => s.Variant == "a")} of 30 times");

        var analytics = await client.GetJson($"/api/cortex/workflows/{workflowId}/analytics");
        Assert.Equal(60, analytics.GetProperty("runs").GetProperty("started").GetInt64());
        Assert.Equal(convertedA, analytics.GetProperty("runs").GetProperty("converted").GetInt64());
        var s1 = analytics.GetProperty("splits").EnumerateArray().Single();
        Assert.Equal(("s1", "thompson", "a"), (s1.GetProperty("node_id").GetString(), s1.GetProperty("strategy").GetString(), s1.GetProperty("winning").GetString()));
        var a = s1.GetProperty("variants").EnumerateArray().Single(v => v.GetProperty("variant").GetString() == "a");
        Assert.Equal(convertedA, a.GetProperty("conversions").GetInt64());
        Assert.True(a.GetProperty("probability_best").GetDouble() > 0.99, a.GetRawText());
        Assert.True(a.GetProperty("posterior_lower95").GetDouble() > 0.5, a.GetRawText());
        var nodes = analytics.GetProperty("nodes").EnumerateArray().ToDictionary(n => n.GetProperty("node_id").GetString()!);
        Assert.Equal(60, nodes["t1"].GetProperty("entered").GetInt64());
        Assert.Equal(60, nodes["s1"].GetProperty("entered").GetInt64());
        Assert.Equal(30 - convertedA, nodes["end"].GetProperty("entered").GetInt64()); // round one's b runs timed out into the stop
        Assert.Equal(30, analytics.GetProperty("queue").GetProperty("live_runs").GetInt64());
        Assert.Equal(60, analytics.GetProperty("trigger_frequency").EnumerateArray().Sum(b => b.GetProperty("runs").GetInt64()));
        Assert.Equal(1.0, analytics.GetProperty("success_rate").GetDouble());
        Assert.True(analytics.GetProperty("duration_seconds").GetProperty("p50").GetDouble() > 0);

        // A window before the runs is empty; an inverted window is refused; another tenant sees no such workflow.
        var early = await client.GetJson($"/api/cortex/workflows/{workflowId}/analytics?from=2020-01-01T00:00:00Z&to=2020-02-01T00:00:00Z");
        Assert.Equal(0, early.GetProperty("runs").GetProperty("started").GetInt64());
        await (await client.GetAsync($"/api/cortex/workflows/{workflowId}/analytics?from=2020-02-01T00:00:00Z&to=2020-01-01T00:00:00Z"))
            .Expect(HttpStatusCode.BadRequest);
        await (await app.ClientFor(Guid.NewGuid()).GetAsync($"/api/cortex/workflows/{workflowId}/analytics")).Expect(HttpStatusCode.NotFound);
    }

    async Task<List<(Guid Contact, string Variant)>> Trials(Guid tenant, Guid workflowId, HttpClient client, int count)
    {
        var contacts = Enumerable.Range(0, count).Select(_ => Guid.NewGuid()).ToList();
        foreach (var contact in contacts)
            await Activity(tenant, contact, "subscription.trial_started");
        var runs = await Eventually.Until(async () =>
            {
                var all = await Runs(client, workflowId);
                return all.Where(r => contacts.Contains(r.GetProperty("contact_id").GetGuid())).ToList();
            }, r => r.Count == count && r.All(x => x.GetProperty("context").GetProperty("steps").TryGetProperty("s1", out _)),
            TimeSpan.FromSeconds(30), $"{count} runs pass the split");
        return runs.Select(r => (r.GetProperty("contact_id").GetGuid(),
            r.GetProperty("context").GetProperty("steps").GetProperty("s1").GetProperty("variant").GetString()!)).ToList();
    }

    async Task<List<JsonElement>> Runs(HttpClient client, Guid workflowId) =>
        (await client.GetJson($"/api/cortex/runs?workflow_id={workflowId}&limit=100")).GetProperty("items").EnumerateArray().ToList();

    Task Activity(Guid tenant, Guid contact, string type) =>
        app.Bus.Bus.Publish(new ActivityRecorded(tenant, Guid.NewGuid(), contact, null, type, new Dictionary<string, JsonElement>(), DateTimeOffset.UtcNow));
}
