using System.Text.Json;

namespace GrowthOps.Segments.Domain.Segments;

/// <summary>
/// A segment as the API shows it; <see cref="Criteria"/> as the client gave it; <see cref="NextRefreshAt"/> when the scheduler
/// refreshes it next (null if it does not: static, archived, or <see cref="AutoRefresh"/> off).
/// </summary>
public sealed record Segment(Guid Id, string Name, string? Description, string Type, string Status, string Kind, JsonElement Criteria,
    string? CriteriaLogic, bool AutoRefresh, int RefreshIntervalHours, bool UseAiRefinement, string? CreatedBy, int MemberCount,
    DateTime? LastRefreshedAt, int? LastRefreshMs, DateTime CreatedAt, DateTime UpdatedAt, DateTime? NextRefreshAt = null)
{
    public bool IsDynamic => Kind == SegmentKinds.Dynamic;
}
