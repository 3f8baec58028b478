using System.ComponentModel;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Segments;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The filters of a segment's members (<c>GET /segments/{id}/members</c>, its CSV export and the seed's <c>type=members</c>),
/// bound with <c>[AsParameters]</c>; <c>entered_after</c> is inclusive, <c>entered_before</c> exclusive.
/// </summary>
public sealed record MembersQuery(
    [property: Description("dynamic or static.")] string? Source = null,
    [property: Description("Members who entered at or after this time.")] DateTimeOffset? EnteredAfter = null,
    [property: Description("Members who entered before this time.")] DateTimeOffset? EnteredBefore = null,
    [property: Description("Email, first, last or full name contains this, ignoring case (up to 200 characters).")] string? Q = null,
    [property: Description("Contacts carrying this tag (ignoring case, as Leads stores tags in lower case).")] string? Tag = null,
    [property: Description("Contacts in this lead state.")] string? LeadState = null)
{
    public const int MaxText = 200;

    /// <summary>What is wrong with the filters, by query parameter; empty when nothing is.</summary>
    public Dictionary<string, string[]> Errors()
    {
        var errors = new Dictionary<string, string[]>();
        if (Source is { } source && !SegmentKinds.Kinds.Contains(source))
            errors["source"] = [$"one of {string.Join(", ", SegmentKinds.Kinds)}"];
        foreach (var (name, value) in new[] { ("q", Q), ("tag", Tag), ("lead_state", LeadState) })
            if (value is { Length: > MaxText })
                errors[name] = [$"is longer than {MaxText} characters"];
        return errors;
    }

    public MembersStore.Filter ToFilter() => new(Source, EnteredAfter?.UtcDateTime, EnteredBefore?.UtcDateTime, Q is { Length: > 0 } q ? q : null,
        Tag?.Trim().ToLowerInvariant() is { Length: > 0 } tag ? tag : null, LeadState is { Length: > 0 } state ? state : null);
}
