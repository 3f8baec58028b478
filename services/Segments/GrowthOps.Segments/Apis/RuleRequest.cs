using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Segments.Apis;

/// <summary>A rule template to create, or the fields to change (PATCH: absent ones stay). <c>value</c> as in a criteria condition.</summary>
public sealed record RuleRequest(
    [property: MaxLength(SegmentsApi.MaxName)] string? Name = null,
    [property: MaxLength(SegmentsApi.MaxDescription)] string? Description = null,
    [property: MaxLength(20)] string? Category = null,
    [property: MaxLength(RulesApi.MaxField)] string? Field = null,
    [property: MaxLength(40)] string? Operator = null,
    [property: JsonLimits(MaxItems = RulesApi.MaxValues, MaxStringLength = RulesApi.MaxValueLength, MaxDepth = 1, MaxBytes = RulesApi.MaxValueBytes)] JsonElement? Value = null);
