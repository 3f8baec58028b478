using GrowthOps.Leads.Domain;
using GrowthOps.Modelling;

namespace GrowthOps.Leads.Tests.Scoring;

/// <summary>
/// The AI score's calibration as a pure model, without a database: when it keeps the defaults and when it calibrates (the
/// regression and AUC themselves are tested with the shared model, <c>Fitting_a_logistic_regression</c>).
/// </summary>
public sealed class Fitting_the_score_model
{
    static readonly double[] Defaults = [-3.0, 0.5];

    static LabelledSample Sample(double x, bool won) => new(Guid.CreateVersion7(), [x], won);

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
        Assert.Equal(samples.Count(s => HeldOut.Contains(s.Id)), outcome.HeldOutContacts);
        Assert.Equal(samples.Count, outcome.TrainingContacts + outcome.HeldOutContacts);
        Assert.True(outcome.Auc > 0.8, $"calibrated AUC {outcome.Auc}");
        Assert.True(outcome.DefaultAuc < 0.5, $"default AUC {outcome.DefaultAuc}");
        Assert.True(outcome.Weights[1] < 0, "the fitted weight is negative");
    }
}
