namespace GrowthOps.Leads.Data;

/// <summary>A tenant's deal pipeline with its stages in order.</summary>
public sealed record Pipeline(Guid Id, string Name, bool IsDefault, DateTime CreatedAt, IReadOnlyList<PipelineStage> Stages);

/// <summary>A stage of a pipeline: its key (what APIs and HubSpot's <c>dealstage</c> name), win probability and closed flags.</summary>
public sealed record PipelineStage(Guid Id, Guid PipelineId, string Key, string Name, int Position, decimal Probability, bool ClosedWon, bool ClosedLost)
{
    public bool IsClosed => ClosedWon || ClosedLost;

    /// <summary><c>open</c>, <c>won</c> or <c>lost</c>.</summary>
    public string Status => ClosedWon ? "won" : ClosedLost ? "lost" : "open";
}
