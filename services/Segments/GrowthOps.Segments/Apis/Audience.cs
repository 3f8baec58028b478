using GrowthOps.Segments.Domain.Segments;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// A segment as the seed's legacy (B10) audience list shows it: an active segment a campaign can be sent to, with how many
/// contacts it reaches now.
/// </summary>
public sealed record Audience(Guid Id, string Name, string? Description, string Type, string Kind, int MemberCount, DateTime? LastRefreshedAt)
{
    public static Audience From(Segment s) => new(s.Id, s.Name, s.Description, s.Type, s.Kind, s.MemberCount, s.LastRefreshedAt);
}
