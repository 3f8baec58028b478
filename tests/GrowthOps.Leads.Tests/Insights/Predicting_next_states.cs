using GrowthOps.Leads.Domain;

namespace GrowthOps.Leads.Tests.Insights;

/// <summary>The next-state model on hand-made histories (no database).</summary>
public sealed class Predicting_next_states
{
    internal static readonly Dictionary<string, PredictionCandidate> States = new[]
    {
        ("new", 1), ("contacted", 2), ("qualified", 3), ("proposal", 4), ("negotiation", 5), ("won", 6), ("lost", 7), ("dormant", 8),
    }.ToDictionary(s => s.Item1, s => new PredictionCandidate(Guid.NewGuid(), s.Item1, s.Item2, IsExit: s.Item1 is "lost" or "dormant"));

    /// <summary>The default rules: one pipeline step per state, lost and dormant from anywhere, dormant back to contacted.</summary>
    internal static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["new"] = ["contacted", "lost", "dormant"],
        ["contacted"] = ["qualified", "lost", "dormant"],
        ["qualified"] = ["proposal", "lost", "dormant"],
        ["proposal"] = ["negotiation", "lost", "dormant"],
        ["negotiation"] = ["won", "lost", "dormant"],
        ["dormant"] = ["contacted", "lost"],
    };

    internal static Dictionary<(Guid From, Guid To), int> History(params (string From, string To, int Count)[] moves) =>
        moves.GroupBy(m => (States[m.From].Id, States[m.To].Id)).ToDictionary(g => g.Key, g => g.Sum(m => m.Count));

    internal static NextStatePredictor.Input Input(string current, Dictionary<(Guid, Guid), int> history, double? daysSinceActivity = 1,
        int activities30d = 3, double daysInState = 5) =>
        new(States[current], Allowed[current].Select(s => States[s]).ToList(), history, daysInState, daysSinceActivity, activities30d);

    static double P(NextStatePredictor.Result result, string state) => result.Probabilities.Single(p => p.State == state).Probability;

    [Fact]
    public void A_tenant_whose_leads_always_go_from_qualified_to_proposal_predicts_proposal_with_high_probability()
    {
        var result = NextStatePredictor.Default.Predict(Input("qualified", History(("qualified", "proposal", 40), ("contacted", "qualified", 40))));

        Assert.Equal("proposal", result.Predicted.Name);
        Assert.True(P(result, "proposal") > 0.9, $"p(proposal) = {P(result, "proposal")}");
        Assert.True(result.Confidence > 0.85, $"confidence = {result.Confidence}");
        Assert.Equal(40, result.Features.ObservedTransitionsFromState);
        Assert.Equal("qualified", result.Features.CurrentState);
    }

    [Fact]
    public void Smoothing_keeps_every_allowed_target_above_zero()
    {
        var result = NextStatePredictor.Default.Predict(Input("negotiation", History(("negotiation", "won", 500))));

        Assert.Equal(new[] { "dormant", "lost", "won" }, result.Probabilities.Select(p => p.State).Order());
        Assert.All(result.Probabilities, p => Assert.True(p.Probability > 0, $"{p.State} has probability {p.Probability}"));
        Assert.Equal(0, result.Probabilities.Single(p => p.State == "lost").Observed);
    }

    [Fact]
    public void Only_allowed_targets_appear_and_moves_without_a_rule_are_ignored()
    {
        // Moves made under rules since removed (qualified → won, qualified → negotiation) are not evidence for today's choices.
        var result = NextStatePredictor.Default.Predict(Input("qualified",
            History(("qualified", "won", 30), ("qualified", "negotiation", 30), ("qualified", "proposal", 3), ("proposal", "lost", 9))));

        Assert.Equal(new[] { "dormant", "lost", "proposal" }, result.Probabilities.Select(p => p.State).Order());
        Assert.Equal(3, result.Features.ObservedTransitionsFromState);
        Assert.Equal("proposal", result.Predicted.Name);
    }

    [Fact]
    public void Without_history_the_prior_favours_the_next_pipeline_step_over_exits_with_zero_confidence()
    {
        var result = NextStatePredictor.Default.Predict(Input("contacted", History()));

        Assert.Equal("qualified", result.Predicted.Name);
        Assert.True(P(result, "qualified") > 2 * P(result, "lost"));
        Assert.True(P(result, "lost") > 0 && P(result, "dormant") > 0);
        Assert.Equal(0, result.Confidence);
        Assert.Equal(0, result.Features.EvidenceWeight);
        Assert.Equal("qualified", result.Features.PipelineNextState);
    }

    [Fact]
    public void An_idle_contact_is_more_likely_to_go_dormant_than_an_engaged_one_with_the_same_history()
    {
        var history = History(("proposal", "negotiation", 10), ("proposal", "dormant", 6), ("proposal", "lost", 4));
        var idle = NextStatePredictor.Default.Predict(Input("proposal", history, daysSinceActivity: 60, activities30d: 0, daysInState: 60));
        var engaged = NextStatePredictor.Default.Predict(Input("proposal", history, daysSinceActivity: 0.5, activities30d: 8, daysInState: 3));

        Assert.True(P(idle, "dormant") > P(engaged, "dormant"), $"idle {P(idle, "dormant")} vs engaged {P(engaged, "dormant")}");
        Assert.True(P(engaged, "negotiation") > P(idle, "negotiation"));
        Assert.True(idle.Features.EngagementFactor < 1 && engaged.Features.EngagementFactor > 1,
            $"idle {idle.Features.EngagementFactor}, engaged {engaged.Features.EngagementFactor}");
        Assert.Equal("negotiation", engaged.Predicted.Name);
        Assert.Equal("dormant", idle.Predicted.Name);
    }

    [Fact]
    public void A_contact_never_active_is_judged_by_its_time_in_the_state()
    {
        var history = History(("new", "contacted", 5), ("new", "dormant", 5));
        var fresh = NextStatePredictor.Default.Predict(Input("new", history, daysSinceActivity: null, activities30d: 0, daysInState: 0.1));
        var stale = NextStatePredictor.Default.Predict(Input("new", history, daysSinceActivity: null, activities30d: 0, daysInState: 90));

        Assert.True(P(stale, "dormant") > P(fresh, "dormant"));
        Assert.Null(stale.Features.DaysSinceLastActivity);
    }

    [Theory]
    [InlineData("new", 0, 0.0)]
    [InlineData("qualified", 7, 2.0)]
    [InlineData("negotiation", 100, 45.0)]
    [InlineData("dormant", 1, 400.0)]
    public void Probabilities_sum_to_one_and_are_sorted(string current, int moves, double daysIdle)
    {
        var random = new Random(moves);
        var history = Allowed[current].ToDictionary(to => (States[current].Id, States[to].Id), _ => random.Next(moves + 1));
        var result = NextStatePredictor.Default.Predict(Input(current, history, daysIdle, activities30d: moves % 5));

        Assert.Equal(1.0, result.Probabilities.Sum(p => p.Probability), 9);
        Assert.Equal(result.Probabilities.OrderByDescending(p => p.Probability).Select(p => p.State), result.Probabilities.Select(p => p.State));
        Assert.Equal(result.Probabilities[0].StateId, result.Predicted.Id);
        Assert.InRange(result.Confidence, 0, result.Probabilities[0].Probability);
    }

    [Fact]
    public void The_pipeline_next_step_is_the_lowest_forward_state_above_or_a_re_engagement_below()
    {
        PredictionCandidate? Next(string from) => NextStatePredictor.PipelineNext(States[from], Allowed[from].Select(s => States[s]));

        Assert.Equal("won", Next("negotiation")?.Name);
        Assert.Equal("contacted", Next("dormant")?.Name);
        Assert.Null(NextStatePredictor.PipelineNext(States["won"], [States["lost"], States["dormant"]]));
    }
}
