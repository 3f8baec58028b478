using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments.Apis;

/// <summary>2 to 20 different segments of the tenant.</summary>
public sealed record OverlapMatrixRequest([property: MaxLength(OverlapsApi.MaxMatrix)] List<Guid>? SegmentIds = null);
