namespace GrowthOps.Leads.Data;

/// <summary>A deal row with its contacts (<see cref="AmountMinor"/> in the minor unit of <see cref="Currency"/>).</summary>
public sealed record Deal(
    Guid Id,
    string Name,
    long? AmountMinor,
    string Currency,
    Guid PipelineId,
    Guid StageId,
    string? OwnerId,
    DateOnly? ExpectedCloseDate,
    string? Source,
    string? Channel,
    string Attributes,
    string ExternalIds,
    DateTime StageEnteredAt,
    DateTime? ClosedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt,
    Guid[] ContactIds)
{
    /// <summary>For Dapper, which sets the properties (PostgreSQL's uuid[] comes back as an array it cannot match to a constructor).</summary>
    Deal() : this(default, "", default, "", default, default, default, default, default, default, "{}", "{}", default, default, default, default, [])
    {
    }

    /// <summary>The close date as SQL reads it (<c>yyyy-MM-dd</c>), whatever the session's time zone.</summary>
    public string? ExpectedCloseDateText => ExpectedCloseDate?.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>One stage change of a deal, with the time spent in the stage it left.</summary>
public sealed record DealStageEntry(Guid Id, string? FromStage, string ToStage, TimeSpan? TimeInFrom, string Source, string? TriggeredBy, DateTime ChangedAt);

/// <summary>Open (or all) deals of one pipeline × stage × owner × currency: count, amount and amount × probability, in minor units.</summary>
public sealed record PipelineTotalsRow(Guid PipelineId, string PipelineName, Guid StageId, string StageKey, string StageName, int Position,
    decimal Probability, string? OwnerId, string Currency, int Deals, long AmountMinor, decimal WeightedMinor);
