using System.ComponentModel;

namespace GrowthOps.Segments.Apis;

/// <summary>The filters of <c>GET /api/segments/segments</c>.</summary>
public sealed record SegmentsQuery(
    [property: Description("behavioral, demographic, engagement, value, lifecycle or predictive.")] string? Type = null,
    [property: Description("active or archived.")] string? Status = null);
