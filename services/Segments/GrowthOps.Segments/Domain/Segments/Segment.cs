using System.Text.Json;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>A segment as the API shows it; <see cref="Criteria"/> as the client gave it.</summary>
public sealed record Segment(Guid Id, string Name, string? Description, string Type, string Status, string Kind, JsonElement Criteria,
    string? CriteriaLogic, bool AutoRefresh, int RefreshIntervalHours, bool UseAiRefinement, string? CreatedBy, int MemberCount,
    DateTime? LastRefreshedAt, int? LastRefreshMs, DateTime CreatedAt, DateTime UpdatedAt)
{
    public bool IsDynamic => Kind == SegmentKinds.Dynamic;
}
