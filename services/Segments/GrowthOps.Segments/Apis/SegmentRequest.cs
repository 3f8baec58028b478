using System.ComponentModel.DataAnnotations;
using System.Text.Json;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// A segment to create, or the fields to change (PATCH: absent ones stay). <c>criteria</c> is the flat array (with
/// <c>criteria_logic</c>) or a nested group; required for a dynamic segment unless, on create, <c>rule_ids</c> names rule
/// templates whose conditions become it.
/// </summary>
public sealed record SegmentRequest(
    [property: MaxLength(SegmentsApi.MaxName)] string? Name = null,
    [property: MaxLength(SegmentsApi.MaxDescription)] string? Description = null,
    [property: MaxLength(20)] string? Type = null,
    [property: MaxLength(20)] string? Kind = null,
    JsonElement? Criteria = null,
    JsonElement? CriteriaLogic = null,
    bool? AutoRefresh = null,
    [property: Range(1, 8760)] int? RefreshIntervalHours = null,
    bool? UseAiRefinement = null,
    [property: MaxLength(RulesApi.MaxRuleIds)] List<Guid>? RuleIds = null);
