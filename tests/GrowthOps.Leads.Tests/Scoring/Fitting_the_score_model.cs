using GrowthOps.Leads.Domain;

namespace GrowthOps.Leads.Tests.Scoring;

/// <summary>The AI score's calibration as a pure model: the AUC it reports and the regression it fits, without a database.</summary>
public sealed class Fitting_the_score_model
{
    static readonly double[] Defaults = [-3.0, 0.5];

    static LeadScoreModel.Sample Sample(double x, bool won) => new(Guid.CreateVersion7(), [x], won);

    [Fact]
    public void Auc_is_the_share_of_won_lost_pairs_ranked_right_with_ties_counting_half()
    {
        // Won at 3 and 2, lost at 1 and 2: (3>1) + (3>2) + (2>1) + ½(2=2) = 3.5 of 4 pairs.
        var samples = new[] { Sample(3, true), Sample(2, true), Sample(1, false), Sample(2, false) };
        Assert.Equal(0.875, LeadScoreModel.Auc(samples, [0, 1]));
        Assert.Equal(0.125, LeadScoreModel.Auc(samples, [0, -1]));
        Assert.Null(LeadScoreModel.Auc([Sample(1, true)], [0, 1]));
    }

    [Fact]
    public void The_fit_is_where_the_penalised_likelihood_is_flat()
    {
        var random = new Random(7);
        var samples = Enumerable.Range(0, 400).Select(_ =>
        {
            double[] x = [random.NextDouble() < .5 ? 1 : 0, random.NextDouble() * 3];
            var p = 1 / (1 + Math.Exp(-(-1.5 + 1.2 * x[0] + 0.8 * x[1])));
            return new LeadScoreModel.Sample(Guid.CreateVersion7(), x, random.NextDouble() < p);
        }).ToList();

        var beta = LeadScoreModel.Fit(samples);

        // First-order conditions of the log-likelihood with the ridge penalty (1 per weight, none on the intercept):
        // X'(y - p) = penalty × beta, computed here directly from the samples.
        for (var j = 0; j < beta.Length; j++)
        {
            var gradient = samples.Sum(s => ((s.Won ? 1 : 0) - LeadScoreModel.Probability(beta, s.Features)) * (j == 0 ? 1 : s.Features[j - 1]));
            Assert.Equal(j == 0 ? 0 : beta[j], gradient, 1e-6);
        }

        Assert.InRange(beta[1], 0.6, 1.8);
        Assert.InRange(beta[2], 0.4, 1.2);
    }

    [Fact]
    public void Too_little_history_keeps_the_defaults_and_says_why()
    {
        var samples = Enumerable.Range(0, 29).Select(i => Sample(i, true)).Concat(Enumerable.Range(0, 40).Select(i => Sample(i, false))).ToList();
        var outcome = LeadScoreModel.Train(samples, Defaults, minOutcomes: 30);
        Assert.Equal(LeadScoreModel.DefaultModel, outcome.Model);
        Assert.Equal(Defaults, outcome.Weights);
        Assert.Null(outcome.Auc);
        Assert.Contains("29 won", outcome.Reason);
    }

    [Fact]
    public void A_history_the_defaults_misread_is_calibrated_and_measured_on_contacts_held_out()
    {
        // Won contacts score low on the feature the defaults reward: the defaults rank them backwards.
        var random = new Random(11);
        var samples = Enumerable.Range(0, 300).Select(i =>
        {
            var won = i % 2 == 0;
            return Sample(won ? random.NextDouble() : 0.6 + random.NextDouble(), won);
        }).ToList();

        var outcome = LeadScoreModel.Train(samples, Defaults, minOutcomes: 30);

        Assert.Equal(LeadScoreModel.CalibratedModel, outcome.Model);
        Assert.Equal(samples.Count(s => LeadScoreModel.IsHeldOut(s.ContactId)), outcome.HeldOutContacts);
        Assert.Equal(samples.Count, outcome.TrainingContacts + outcome.HeldOutContacts);
        Assert.True(outcome.Auc > 0.8, $"calibrated AUC {outcome.Auc}");
        Assert.True(outcome.DefaultAuc < 0.5, $"default AUC {outcome.DefaultAuc}");
        Assert.True(outcome.Weights[1] < 0, "the fitted weight is negative");
    }
}
