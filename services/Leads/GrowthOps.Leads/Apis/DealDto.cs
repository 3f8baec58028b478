using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain.Deals;

namespace GrowthOps.Leads.Apis;

/// <summary>A deal as the API answers it: amounts in the major unit and in minor units, its stage with probability and status.</summary>
public sealed record DealDto(
    Guid Id,
    string Name,
    decimal? Amount,
    long? AmountMinor,
    string Currency,
    decimal? WeightedAmount,
    Guid PipelineId,
    string Stage,
    string StageName,
    decimal Probability,
    string Status,
    string? OwnerId,
    DateOnly? ExpectedCloseDate,
    string? Source,
    string? Channel,
    JsonElement Attributes,
    JsonElement ExternalIds,
    IReadOnlyList<Guid> ContactIds,
    DateTime StageEnteredAt,
    DateTime? ClosedAt,
    DateTime CreatedAt,
    DateTime UpdatedAt)
{
    public static DealDto From(Deal d, IReadOnlyList<Pipeline> pipelines)
    {
        var stage = pipelines.SelectMany(p => p.Stages).Single(s => s.Id == d.StageId);
        var digits = Currencies.MinorUnitsOf(d.Currency) ?? 2;
        var amount = d.AmountMinor is { } minor ? Currencies.FromMinor(minor, digits) : (decimal?)null;
        return new DealDto(d.Id, d.Name, amount, d.AmountMinor, d.Currency, amount is { } a ? Math.Round(a * stage.Probability, digits) : null, d.PipelineId,
            stage.Key, stage.Name, stage.Probability, stage.Status, d.OwnerId,
            d.ExpectedCloseDate, d.Source, d.Channel,
            JsonSerializer.Deserialize<JsonElement>(d.Attributes), JsonSerializer.Deserialize<JsonElement>(d.ExternalIds), d.ContactIds,
            DateTime.SpecifyKind(d.StageEnteredAt, DateTimeKind.Utc), d.ClosedAt is { } c ? DateTime.SpecifyKind(c, DateTimeKind.Utc) : null,
            DateTime.SpecifyKind(d.CreatedAt, DateTimeKind.Utc), DateTime.SpecifyKind(d.UpdatedAt, DateTimeKind.Utc));
    }
}

public sealed record DealStageEntryDto(string? FromStage, string ToStage, double? SecondsInFrom, string Source, string? TriggeredBy, DateTime ChangedAt);

public sealed record PipelineDto(Guid Id, string Name, bool IsDefault, IReadOnlyList<PipelineStageDto> Stages)
{
    public static PipelineDto From(Pipeline p) =>
        new(p.Id, p.Name, p.IsDefault, p.Stages.Select(s => new PipelineStageDto(s.Id, s.Key, s.Name, s.Position, s.Probability, s.ClosedWon, s.ClosedLost)).ToList());
}

public sealed record PipelineStageDto(Guid Id, string Key, string Name, int Position, decimal Probability, bool ClosedWon, bool ClosedLost);

/// <summary>Sums of one group of deals (per currency: amounts of different currencies are never added).</summary>
public sealed record PipelineSum(string Currency, int Deals, decimal Amount, decimal WeightedAmount);

public sealed record StageTotals(string Stage, string StageName, decimal Probability, IReadOnlyList<PipelineSum> Totals);

public sealed record OwnerTotals(string? OwnerId, IReadOnlyList<PipelineSum> Totals);

public sealed record WeightedPipeline(Guid PipelineId, string Name, IReadOnlyList<PipelineSum> Totals, IReadOnlyList<StageTotals> Stages, IReadOnlyList<OwnerTotals> Owners);
