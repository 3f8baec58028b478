using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Leads.Apis;
using GrowthOps.ServiceDefaults.Validation;

namespace GrowthOps.Leads.Integrations.HubSpot;

/// <summary>
/// One event of a HubSpot webhook delivery (webhooks API v3 payload: <c>eventId</c>, <c>portalId</c>, <c>subscriptionType</c>,
/// <c>objectId</c>, <c>propertyName</c>, <c>propertyValue</c>, <c>occurredAt</c> in ms…; association changes add
/// <c>associationType</c>, <c>fromObjectId</c>, <c>toObjectId</c>, <c>associationRemoved</c>).
/// </summary>
public sealed record HubSpotEvent(
    long EventId,
    long PortalId,
    string SubscriptionType,
    long? ObjectId,
    string? PropertyName,
    string? PropertyValue,
    DateTimeOffset OccurredAt,
    long? AssociatedObjectId = null,
    string? AssociationType = null,
    long? FromObjectId = null,
    long? ToObjectId = null,
    bool AssociationRemoved = false)
{
    /// <summary>HubSpot sends at most 100 events per request; this leaves room without letting one request hold a transaction for long.</summary>
    public const int MaxBatch = 1000;

    /// <summary>Subscription types, property and association names: HubSpot's are short identifiers.</summary>
    public const int MaxName = 100;

    /// <summary>HubSpot's own limit for a property value.</summary>
    public const int MaxPropertyValue = 65_536;

    /// <summary>
    /// The portal of a delivery's first event (<c>portalId</c>, a positive integer, or a string of digits), or null when there is
    /// none or the JSON breaks off before it. This is all a delivery is read for before its signature is checked — the portal
    /// chooses the tenant whose client secret verifies it — so it reads the JSON's structure and that one value, and decodes no
    /// other member or string (<see cref="ParseBatch"/> reads the rest once the signature holds).
    /// </summary>
    public static long? ReadPortalId(ReadOnlySpan<byte> body)
    {
        var reader = new Utf8JsonReader(body);
        try
        {
            if (!reader.Read() || (reader.TokenType == JsonTokenType.StartArray && !reader.Read()) || reader.TokenType != JsonTokenType.StartObject)
                return null;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var isPortal = !reader.ValueIsEscaped && reader.ValueSpan.SequenceEqual("portalId"u8);
                reader.Read();
                if (isPortal)
                    return reader.TokenType switch
                    {
                        JsonTokenType.Number when reader.TryGetInt64(out var id) && id > 0 => id,
                        JsonTokenType.String when !reader.ValueIsEscaped && Utf8Parser.TryParse(reader.ValueSpan, out long id, out var used) &&
                                                  used == reader.ValueSpan.Length && id > 0 => id,
                        _ => null,
                    };
                reader.Skip();
            }

            return null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Reads a delivery: a JSON array of events, or one event object (the seeds' example, which also says <c>eventType</c> for
    /// <c>subscriptionType</c>). Every event must name the same portal. Returns null with <paramref name="error"/> set when malformed.
    /// </summary>
    public static IReadOnlyList<HubSpotEvent>? ParseBatch(ReadOnlyMemory<byte> body, DateTimeOffset receivedAt, out string? error)
    {
        JsonDocument document;
        try
        {
            // A member given twice would let the portal read before verification differ from the one processed.
            document = JsonDocument.Parse(body, new JsonDocumentOptions { AllowDuplicateProperties = false });
        }
        catch (JsonException)
        {
            error = "The body is not valid JSON (or gives a member twice).";
            return null;
        }

        using (document)
        {
            var root = document.RootElement;
            var items = root.ValueKind switch
            {
                JsonValueKind.Array => root.EnumerateArray().ToList(),
                JsonValueKind.Object => [root],
                _ => null,
            };
            if (items is null)
            {
                error = "The body must be a JSON array of events (or one event object).";
                return null;
            }

            if (items.Count is 0 or > MaxBatch)
            {
                error = $"A delivery holds between 1 and {MaxBatch} events.";
                return null;
            }

            var events = new List<HubSpotEvent>(items.Count);
            for (var i = 0; i < items.Count; i++)
            {
                HubSpotEvent? e;
                try
                {
                    e = Parse(items[i], receivedAt, out error);
                }
                catch (InvalidOperationException)
                {
                    // GetString refuses text that is not Unicode (a lone surrogate escape such as "\ud800").
                    e = null;
                    error = "holds a string that is not valid Unicode.";
                }

                if (e is null)
                {
                    error = $"Event {i}: {error}";
                    return null;
                }

                events.Add(e);
            }

            if (events.Select(e => e.PortalId).Distinct().Count() > 1)
            {
                error = "All events of one delivery must belong to the same portal.";
                return null;
            }

            error = null;
            return events;
        }
    }

    static HubSpotEvent? Parse(JsonElement item, DateTimeOffset receivedAt, out string? error)
    {
        error = null;
        if (item.ValueKind != JsonValueKind.Object)
        {
            error = "is not an object.";
            return null;
        }

        var limits = new Dictionary<string, string[]>();
        if (!RequestLimits.Check<HubSpotWebhookEvent>(item, limits))
        {
            error = $"'{limits.First().Key}' {limits.First().Value[0]}.";
            return null;
        }

        long? Id(string name, ref string? problem)
        {
            if (!item.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
                return null;
            if (value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out var n))
                return n;
            if (value.ValueKind == JsonValueKind.String && long.TryParse(value.GetString(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out n))
                return n;
            problem ??= $"'{name}' must be an integer.";
            return null;
        }

        string? Text(string name) => item.TryGetProperty(name, out var value)
            ? value.ValueKind switch
            {
                JsonValueKind.String => value.GetString(),
                JsonValueKind.Null or JsonValueKind.Undefined => null,
                _ => value.GetRawText(),
            }
            : null;

        var eventId = Id("eventId", ref error);
        var portalId = Id("portalId", ref error);
        var objectId = Id("objectId", ref error);
        var occurredAtMs = Id("occurredAt", ref error);
        var associatedObjectId = Id("associatedObjectId", ref error);
        var fromObjectId = Id("fromObjectId", ref error);
        var toObjectId = Id("toObjectId", ref error);
        if (error is not null)
            return null;
        if (portalId is not > 0)
        {
            error = "'portalId' is missing.";
            return null;
        }

        var type = Text("subscriptionType") ?? Text("eventType");
        if (string.IsNullOrWhiteSpace(type))
        {
            error = "'subscriptionType' is missing.";
            return null;
        }

        var propertyName = Text("propertyName");
        var propertyValue = Text("propertyValue");
        var occurredAt = occurredAtMs is { } ms && ms is > 0 and < 253402300800000 ? DateTimeOffset.FromUnixTimeMilliseconds(ms) : receivedAt;
        var removed = item.TryGetProperty("associationRemoved", out var r) && r.ValueKind == JsonValueKind.True;

        // HubSpot always sends eventId; the seeds' hand-written example has none. A stable id derived from the content
        // (negative, so it can never equal a real HubSpot id) still makes a retried delivery of it a duplicate.
        var id = eventId ?? SyntheticId(portalId.Value, type, objectId, propertyName, propertyValue, occurredAtMs);
        return new HubSpotEvent(id, portalId.Value, type.Trim(), objectId, propertyName, propertyValue, occurredAt, associatedObjectId,
            Text("associationType"), fromObjectId, toObjectId, removed);
    }

    static long SyntheticId(long portalId, string type, long? objectId, string? propertyName, string? propertyValue, long? occurredAtMs)
    {
        var key = string.Join('\u001f', portalId, type, objectId, propertyName, propertyValue, occurredAtMs);
        return BitConverter.ToInt64(SHA256.HashData(Encoding.UTF8.GetBytes(key))) | long.MinValue;
    }
}
