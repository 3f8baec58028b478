using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace GrowthOps.Leads.Apis;

/// <summary>The body of <c>PUT /integrations/hubspot</c>, as documented (read member by member by the handler, held to these limits).</summary>
public sealed record HubSpotIntegrationRequest(
    [property: MaxLength(HubSpotApi.MaxPortals), Description("HubSpot portal (hub) ids, 1 to 100; they become exactly the tenant's portals.")]
    long[] PortalIds,
    [property: MaxLength(HubSpotApi.MaxClientSecret),
               Description("The app's client secret, which signs webhooks: required the first time, write-only; omitted later, the stored one is kept.")]
    string? ClientSecret = null,
    [property: MaxLength(HubSpotApi.MaxAppId), Description("The HubSpot app id, up to 64 characters.")] string? AppId = null);
