using GrowthOps.Leads.Domain;

namespace GrowthOps.Leads.Data;

public sealed record StoredPrediction(
    Guid Id, Guid ContactId, Guid FromStateId, string? FromState, Guid PredictedStateId, string? PredictedState,
    IReadOnlyList<PredictionProbability> Probabilities, double Confidence, PredictionFeatures Features, string Model, DateTime Created,
    DateTime ExpiresAt, Guid? OutcomeStateId, string? OutcomeState, DateTime? OutcomeAt, bool? Correct);
