using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The body of <c>POST /api/synthex/segments</c>, as documented: an action and the members of the REST request it stands for,
/// in snake_case or the seeds' camelCase. <c>create_segment</c> and <c>update_segment</c> take the members of
/// <see cref="SegmentRequest"/>, with the seed's <c>segment_name</c>, <c>segment_type</c> for <c>name</c>, <c>type</c>.
/// </summary>
[Description("An action and the members of the REST request it stands for (snake_case or camelCase).")]
public sealed record SynthexSegmentsRequest(
    [property: MaxLength(40),
               Description("create_segment, update_segment, delete_segment, archive_segment, add_member, remove_member, evaluate, refresh, " +
                           "create_rule, create_snapshot or calculate_overlap.")]
    string Action,
    [property: MaxLength(36), Description("When given, must be the token's tenant (403 otherwise).")] string? TenantId = null,
    [property: Description("Every action but create_segment: the segment (also id).")] Guid? SegmentId = null,
    [property: Description("add_member, remove_member, evaluate: the contact (also lead_id).")] Guid? ContactId = null,
    [property: MaxLength(320), Description("add_member, remove_member: the contact by email, ignoring case.")] string? Email = null,
    [property: MaxLength(SegmentsApi.MaxBulk), Description("add_member, remove_member: several contacts.")] List<Guid>? ContactIds = null,
    [property: MaxLength(SegmentsApi.MaxBulk), ItemsMaxLength(320), Description("add_member, remove_member: several contacts by email.")] List<string>? Emails = null,
    [property: MaxLength(SegmentsApi.MaxName), Description("create_segment, update_segment: the name (also name).")] string? SegmentName = null,
    [property: MaxLength(20), Description("create_segment, update_segment: the type (also type).")] string? SegmentType = null);
