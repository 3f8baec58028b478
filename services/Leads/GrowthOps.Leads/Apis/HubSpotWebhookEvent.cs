using System.ComponentModel;
using System.Text.Json.Serialization;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// One event of a HubSpot webhook delivery as HubSpot sends it (webhooks API v3, camelCase), documented for the webhook route;
/// read by <see cref="Domain.HubSpotEvent.ParseBatch"/>, which also takes a single event object.
/// </summary>
public sealed record HubSpotWebhookEvent(
    [property: JsonPropertyName("eventId")] long EventId,
    [property: JsonPropertyName("portalId")] long PortalId,
    [property: JsonPropertyName("subscriptionType"), Description("deal.propertyChange, deal.creation, contact.propertyChange…")] string SubscriptionType,
    [property: JsonPropertyName("occurredAt"), Description("Milliseconds since the Unix epoch.")] long OccurredAt,
    [property: JsonPropertyName("objectId")] long? ObjectId = null,
    [property: JsonPropertyName("propertyName")] string? PropertyName = null,
    [property: JsonPropertyName("propertyValue")] string? PropertyValue = null,
    [property: JsonPropertyName("associationType")] string? AssociationType = null,
    [property: JsonPropertyName("fromObjectId")] long? FromObjectId = null,
    [property: JsonPropertyName("toObjectId")] long? ToObjectId = null,
    [property: JsonPropertyName("associationRemoved")] bool? AssociationRemoved = null);
