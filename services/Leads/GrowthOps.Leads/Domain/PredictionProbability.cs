namespace GrowthOps.Leads.Domain;

/// <summary>One allowed next state, its predicted probability and how often the tenant's leads made that move.</summary>
public sealed record PredictionProbability(Guid StateId, string State, double Probability, int Observed);
