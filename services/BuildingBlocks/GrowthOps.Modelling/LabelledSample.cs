namespace GrowthOps.Modelling;

/// <summary>One example for a binary model: its id (which decides whether it is held out), its features, and its outcome.</summary>
public sealed record LabelledSample(Guid Id, IReadOnlyList<double> Features, bool Positive);
