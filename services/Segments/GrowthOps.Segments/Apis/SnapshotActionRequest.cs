using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments.Apis;

/// <summary>The seed's <c>create_snapshot</c> members besides the segment: its <c>type</c>, which through the API can only be manual.</summary>
public sealed record SnapshotActionRequest(
    [property: MaxLength(20), Description("manual (the default); scheduled snapshots are taken by the auto-refresh.")] string? Type = null);
