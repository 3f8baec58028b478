using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json.Serialization;
using GrowthOps.Leads.Integrations.HubSpot;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// One event of a HubSpot webhook delivery as HubSpot sends it (webhooks API v3, camelCase), documented for the webhook route;
/// read by <see cref="HubSpotEvent.ParseBatch"/>, which holds it to these limits. HubSpot always sends eventId,
/// subscriptionType and occurredAt; the seeds' hand-written example has none of them but eventType.
/// </summary>
[Description("subscriptionType (or eventType) is required; without eventId, one is derived from the content so a retry is still recognised.")]
public sealed record HubSpotWebhookEvent(
    [property: JsonPropertyName("portalId")] long PortalId,
    [property: JsonPropertyName("eventId")] long? EventId = null,
    [property: JsonPropertyName("subscriptionType"), MaxLength(HubSpotEvent.MaxName), Description("deal.propertyChange, deal.creation, contact.propertyChange…")]
    string? SubscriptionType = null,
    [property: JsonPropertyName("eventType"), MaxLength(HubSpotEvent.MaxName), Description("The seeds' name for subscriptionType.")] string? EventType = null,
    [property: JsonPropertyName("occurredAt"), Description("Milliseconds since the Unix epoch; the time received when absent.")] long? OccurredAt = null,
    [property: JsonPropertyName("objectId")] long? ObjectId = null,
    [property: JsonPropertyName("propertyName"), MaxLength(HubSpotEvent.MaxName)] string? PropertyName = null,
    [property: JsonPropertyName("propertyValue"), MaxLength(HubSpotEvent.MaxPropertyValue)] string? PropertyValue = null,
    [property: JsonPropertyName("associationType"), MaxLength(HubSpotEvent.MaxName)] string? AssociationType = null,
    [property: JsonPropertyName("fromObjectId")] long? FromObjectId = null,
    [property: JsonPropertyName("toObjectId")] long? ToObjectId = null,
    [property: JsonPropertyName("associationRemoved")] bool? AssociationRemoved = null);
