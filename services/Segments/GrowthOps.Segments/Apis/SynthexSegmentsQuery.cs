using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The query of <c>GET /api/synthex/segments</c> (besides the members filters and the page): which <c>type</c> of answer, and
/// the ids and filters that type needs. The seeds' camelCase names (<c>tenantId</c>, <c>segmentId</c>…) are accepted too.
/// </summary>
public sealed record SynthexSegmentsQuery(
    [property: Description("stats, list, segment, members, member_segments, rules, snapshots or audience.")] string? Type = null,
    [property: Description("When given, must be the token's tenant (403 otherwise); also tenantId.")] Guid? TenantId = null,
    [property: Description("segment, members: the segment; also segmentId.")] Guid? SegmentId = null,
    [property: Description("member_segments: the contact; also contactId.")] Guid? ContactId = null,
    [property: Description("list, audience: behavioral, demographic, engagement, value, lifecycle or predictive; also segmentType.")] string? SegmentType = null,
    [property: Description("list: active or archived.")] string? Status = null,
    [property: Description("stats: the window of growth and churn, 1–365 days; 30 when absent."), Range(1, StatsApi.MaxDays)] int? Days = null,
    [property: Description("rules: behavioral, demographic, engagement, value, lifecycle or predictive.")] string? Category = null);
