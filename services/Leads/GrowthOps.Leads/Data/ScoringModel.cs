namespace GrowthOps.Leads.Data;

/// <summary>
/// A tenant's last AI score training (<c>leads.scoring_models</c>); see <see cref="Domain.LeadScoreModel.Outcome"/>. A class
/// with setters, not a positional record: Dapper binds array columns to properties, not to constructor parameters.
/// </summary>
public sealed class ScoringModel
{
    public string Model { get; set; } = "";
    public double[] Weights { get; set; } = [];
    public string[] FeatureNames { get; set; } = [];
    public double[]? CalibratedWeights { get; set; }
    public int TrainingContacts { get; set; }
    public int HeldOutContacts { get; set; }
    public int Won { get; set; }
    public int Lost { get; set; }
    public double? Auc { get; set; }
    public double? DefaultAuc { get; set; }
    public string Reason { get; set; } = "";
    public DateTime? TrainedAt { get; set; }
}
