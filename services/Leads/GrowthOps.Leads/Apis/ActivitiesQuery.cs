using System.ComponentModel;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The filters of <c>GET /api/leads/activities</c>, bound with <c>[AsParameters]</c>; the range is [from, to) of occurrence.
/// On the wire each is the snake_case of its name (<c>contact_id</c>).
/// </summary>
public sealed record ActivitiesQuery(
    [property: Description("Activity types, comma-separated.")] string? Type = null,
    [property: Description("One contact's activities.")] Guid? ContactId = null,
    [property: Description("Occurred at or after.")] DateTimeOffset? From = null,
    [property: Description("Occurred before.")] DateTimeOffset? To = null);
