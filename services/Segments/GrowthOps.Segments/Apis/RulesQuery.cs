using System.ComponentModel;

namespace GrowthOps.Segments.Apis;

/// <summary>The filter of <c>GET /api/segments/rules</c>.</summary>
public sealed record RulesQuery(
    [property: Description("behavioral, demographic, engagement, value, lifecycle or predictive.")] string? Category = null);
