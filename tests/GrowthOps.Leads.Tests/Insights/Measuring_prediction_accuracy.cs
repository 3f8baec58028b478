using System.Globalization;
using GrowthOps.Leads.Domain;
using Xunit.Abstractions;

namespace GrowthOps.Leads.Tests.Insights;

/// <summary>
/// The model measured on held-out contacts of a synthetic tenant whose leads follow a known stochastic pipeline, in which
/// idle leads drift to dormant and lost. Trained on 150 contacts' histories, scored on the moves of 50 others.
/// </summary>
public sealed class Measuring_prediction_accuracy(ITestOutputHelper output)
{
    /// <summary>The true next-state distribution per state, for an engaged and for an idle lead.</summary>
    static readonly Dictionary<string, (string To, double Engaged, double Idle)[]> Truth = new()
    {
        ["new"] = [("contacted", .80, .40), ("lost", .05, .10), ("dormant", .15, .50)],
        ["contacted"] = [("qualified", .65, .25), ("lost", .20, .25), ("dormant", .15, .50)],
        ["qualified"] = [("proposal", .70, .30), ("lost", .20, .25), ("dormant", .10, .45)],
        ["proposal"] = [("negotiation", .65, .25), ("lost", .25, .30), ("dormant", .10, .45)],
        ["negotiation"] = [("won", .60, .25), ("lost", .35, .50), ("dormant", .05, .25)],
        ["dormant"] = [("contacted", .55, .15), ("lost", .45, .85)],
    };

    /// <param name="Engaged">Hidden from the model: only the oracle, which knows the true distribution, reads it.</param>
    sealed record Move(int Contact, string From, string To, bool Engaged, double DaysInState, double DaysSinceActivity, int Activities30d);

    static List<Move> Generate(int contacts, int seed)
    {
        var random = new Random(seed);
        var moves = new List<Move>();
        for (var contact = 0; contact < contacts; contact++)
        {
            var propensity = random.NextDouble();
            var state = "new";
            for (var step = 0; step < 12 && Truth.ContainsKey(state); step++)
            {
                var engaged = random.NextDouble() < propensity;
                var daysSince = engaged ? random.NextDouble() * 5 : 20 + random.NextDouble() * 70;
                var activities = engaged ? random.Next(3, 13) : random.Next(0, 2);
                var daysInState = engaged ? 1 + random.NextDouble() * 9 : daysSince + random.NextDouble() * 10;

                var roll = random.NextDouble();
                var next = Truth[state][^1].To;
                foreach (var (to, pEngaged, pIdle) in Truth[state])
                {
                    roll -= engaged ? pEngaged : pIdle;
                    if (roll < 0)
                    {
                        next = to;
                        break;
                    }
                }

                moves.Add(new Move(contact, state, next, engaged, daysInState, daysSince, activities));
                state = next;
            }
        }

        return moves;
    }

    sealed record Score(double Accuracy, double LogLoss);

    static Score Evaluate(NextStatePredictor model, IReadOnlyList<Move> train, IReadOnlyList<Move> test)
    {
        var history = train.GroupBy(m => (Predicting_next_states.States[m.From].Id, Predicting_next_states.States[m.To].Id))
            .ToDictionary(g => g.Key, g => g.Count());
        var (hits, logLoss) = (0, 0.0);
        foreach (var move in test)
        {
            var result = model.Predict(Predicting_next_states.Input(move.From, history, move.DaysSinceActivity, move.Activities30d, move.DaysInState));
            hits += result.Predicted.Name == move.To ? 1 : 0;
            logLoss -= Math.Log(result.Probabilities.Single(p => p.State == move.To).Probability);
        }

        return new Score((double)hits / test.Count, logLoss / test.Count);
    }

    [Theory]
    [InlineData(19)]
    [InlineData(2024)]
    [InlineData(7)]
    public void The_model_beats_always_predicting_the_most_common_next_state_on_held_out_contacts(int seed)
    {
        var moves = Generate(200, seed);
        var train = moves.Where(m => m.Contact < 150).ToList();
        var test = moves.Where(m => m.Contact >= 150).ToList();

        var mostCommon = train.GroupBy(m => m.To).OrderByDescending(g => g.Count()).First().Key;
        var baseline = (double)test.Count(m => m.To == mostCommon) / test.Count;
        var model = Evaluate(NextStatePredictor.Default, train, test);
        var chainOnly = Evaluate(new NextStatePredictor { MaxEngagementFactor = 1 }, train, test);
        var oracle = (double)test.Count(m => m.To == Truth[m.From].MaxBy(t => m.Engaged ? t.Engaged : t.Idle).To) / test.Count;

        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"seed {seed}: {train.Count} training moves, {test.Count} held-out moves of 50 contacts"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  baseline (always '{mostCommon}'): top-1 accuracy {baseline:P1}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  markov chain without engagement:  top-1 accuracy {chainOnly.Accuracy:P1}, log loss {chainOnly.LogLoss:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  {NextStatePredictor.ModelName} (chain + engagement):  top-1 accuracy {model.Accuracy:P1}, log loss {model.LogLoss:F3}"));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  oracle (true distribution, knows engagement): top-1 accuracy {oracle:P1}"));

        Assert.True(model.Accuracy > baseline, $"model {model.Accuracy:P1} does not beat the baseline {baseline:P1}");
        // The engagement adjustment has to earn its place on leads that drift away when idle.
        Assert.True(model.LogLoss < chainOnly.LogLoss, $"engagement worsens log loss: {model.LogLoss:F3} vs {chainOnly.LogLoss:F3}");
    }
}
