using System.ComponentModel;

namespace GrowthOps.Segments.Apis;

/// <summary>The two snapshots of <c>GET /api/segments/snapshots/compare</c> (and its <c>joined</c>/<c>left</c> pages).</summary>
public sealed record CompareQuery(
    [property: Description("The earlier snapshot: who is in it and not in `to` left.")] Guid? From = null,
    [property: Description("The later snapshot: who is in it and not in `from` joined.")] Guid? To = null);
