using System.ComponentModel.DataAnnotations;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Segments.Apis;

/// <summary>Contacts of the read model by id and/or email (ignoring case), up to 1,000 each.</summary>
public sealed record MembersRequest(
    [property: MaxLength(SegmentsApi.MaxBulk)] List<Guid>? ContactIds = null,
    [property: MaxLength(SegmentsApi.MaxBulk), ItemsMaxLength(320)] List<string>? Emails = null);
