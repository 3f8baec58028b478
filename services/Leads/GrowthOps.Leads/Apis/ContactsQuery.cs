using System.ComponentModel;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>The filters of <c>GET /api/leads/contacts</c>, bound with <c>[AsParameters]</c>; ranges are [from, to).</summary>
public sealed record ContactsQuery(
    [property: Description("A lead state, by name or id.")] string? State = null,
    [property: Description("Contacts carrying this tag.")] string? Tag = null,
    [property: Description("lead or customer.")] string? Kind = null,
    [property: Description("Prefix search over name, email and company.")] string? Q = null,
    [property: FromQuery(Name = "created_from")] DateTimeOffset? CreatedFrom = null,
    [property: FromQuery(Name = "created_to")] DateTimeOffset? CreatedTo = null,
    [property: FromQuery(Name = "interaction_from"), Description("Last interaction at or after.")] DateTimeOffset? InteractionFrom = null,
    [property: FromQuery(Name = "interaction_to"), Description("Last interaction before.")] DateTimeOffset? InteractionTo = null);
