using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Email.Apis;

/// <summary>
/// A campaign's audience: the recipients in any of <c>include_segments</c>, or listed in <c>contact_ids</c>, or every consenting
/// one (<c>all_consenting</c>); minus those in any of <c>exclude_segments</c>.
/// </summary>
public sealed record AudienceRequest(
    [property: MaxLength(AudienceRequest.MaxSegments)] IReadOnlyList<Guid>? IncludeSegments = null,
    [property: MaxLength(AudienceRequest.MaxSegments)] IReadOnlyList<Guid>? ExcludeSegments = null,
    [property: MaxLength(AudienceRequest.MaxContacts)] IReadOnlyList<Guid>? ContactIds = null,
    bool? AllConsenting = null)
{
    public const int MaxSegments = 100;
    public const int MaxContacts = 10_000;
}
