using System.ComponentModel;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// The filters of <c>GET /api/leads/contacts</c>, bound with <c>[AsParameters]</c>; ranges are [from, to). On the wire each is the
/// snake_case of its name (<c>created_from</c>), as ServiceDefaults' <c>QueryParameters</c> does for every query parameter.
/// </summary>
public sealed record ContactsQuery(
    [property: Description("A lead state, by name or id.")] string? State = null,
    [property: Description("Contacts carrying this tag.")] string? Tag = null,
    [property: Description("lead or customer.")] string? Kind = null,
    [property: Description("Prefix search over name, email and company.")] string? Q = null,
    [property: Description("Created at or after.")] DateTimeOffset? CreatedFrom = null,
    [property: Description("Created before.")] DateTimeOffset? CreatedTo = null,
    [property: Description("Last interaction at or after.")] DateTimeOffset? InteractionFrom = null,
    [property: Description("Last interaction before.")] DateTimeOffset? InteractionTo = null);
