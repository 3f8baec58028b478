using System.ComponentModel;

namespace GrowthOps.Segments.Domain.Predictive;

[Description("Conditions that would narrow a segment towards the members that convert, best first, with their measured precision and recall.")]
public sealed record Refinement(
    Guid SegmentId,
    [property: Description("Members whose lead state is won.")] int Won,
    [property: Description("Members whose lead state is lost.")] int Lost,
    [property: Description("Members with a known outcome the suggestions were measured on (a fixed quarter, never used to choose them).")] int HeldOut,
    [property: Description("The held-out members' win rate, which lift compares with.")] double HeldOutWinRate,
    int MemberCount,
    IReadOnlyList<RefinementSuggestion> Suggestions);
