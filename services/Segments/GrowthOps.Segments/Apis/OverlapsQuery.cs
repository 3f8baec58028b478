using System.ComponentModel;

namespace GrowthOps.Segments.Apis;

/// <summary>The filter of <c>GET /api/segments/overlaps</c>.</summary>
public sealed record OverlapsQuery([property: Description("Only this segment's overlaps, with it as segment A.")] Guid? SegmentId = null);
