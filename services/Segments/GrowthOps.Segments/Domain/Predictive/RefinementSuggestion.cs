using System.ComponentModel;
using System.Text.Json;

namespace GrowthOps.Segments.Domain.Predictive;

[Description("A narrower condition for a segment, chosen on three quarters of its members with a known outcome and measured on the held-out quarter.")]
public sealed record RefinementSuggestion(
    [property: Description("The condition in the criteria language: append it to the segment's criteria (an AND group) as it is.")] JsonElement Condition,
    [property: Description("The condition in words.")] string Description,
    [property: Description("Of the held-out members it keeps, the share that won; null when it keeps none of them.")] double? Precision,
    [property: Description("Of the held-out members that won, the share it keeps.")] double Recall,
    [property: Description("Precision over the held-out members' win rate: how many times likelier a kept member won.")] double? Lift,
    [property: Description("Held-out members with a known outcome that it keeps.")] int Support,
    [property: Description("The segment's current members that satisfy it: its size once appended.")] int MemberCount,
    [property: Description("How well it separated on the members it was chosen on: the share of won kept minus the share of lost kept.")]
    double TrainingInformedness);
