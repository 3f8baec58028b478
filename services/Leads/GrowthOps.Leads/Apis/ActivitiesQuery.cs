using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>The filters of <c>GET /api/leads/activities</c>, bound with <c>[AsParameters]</c>; the range is [from, to) of occurrence.</summary>
public sealed record ActivitiesQuery(
    [property: Description("Activity types, comma-separated.")] string? Type = null,
    [property: FromQuery(Name = "contact_id")] Guid? ContactId = null,
    DateTimeOffset? From = null,
    DateTimeOffset? To = null);
