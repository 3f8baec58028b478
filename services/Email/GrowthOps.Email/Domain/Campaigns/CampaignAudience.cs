namespace GrowthOps.Email.Domain.Campaigns;

/// <summary>
/// Who a campaign goes to: the live recipients in any of <see cref="IncludeSegments"/>, or listed in <see cref="ContactIds"/>,
/// or (when <see cref="AllConsenting"/>) every recipient with marketing consent — minus those in any of
/// <see cref="ExcludeSegments"/>. Stored as given in <c>campaigns.audience</c>.
/// </summary>
public sealed record CampaignAudience(
    IReadOnlyList<Guid> IncludeSegments,
    IReadOnlyList<Guid> ExcludeSegments,
    IReadOnlyList<Guid> ContactIds,
    bool AllConsenting)
{
    public static readonly CampaignAudience None = new([], [], [], false);

    /// <summary>Whether it names anyone at all (an exclusion alone reaches nobody).</summary>
    public bool IsDefined => IncludeSegments.Count > 0 || ContactIds.Count > 0 || AllConsenting;
}
