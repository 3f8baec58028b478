using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Leads.Integrations.HubSpot;

namespace GrowthOps.Leads.Tests.HubSpot;

/// <summary>
/// Connecting tenants and sending HubSpot-signed deliveries. Signatures are computed here with the primitives directly (not with
/// the service's <c>HubSpotSignature</c>), so a test fails if the service's formula drifts from HubSpot's.
/// </summary>
static class HubSpotTesting
{
    /// <summary>The URL the in-process test client calls (what HubSpot would have signed without a proxy in front).</summary>
    public const string LocalBase = "http://localhost";

    /// <summary>Portal and event ids unique per test: the fixture's database is shared by the class.</summary>
    public static long NewId() => Random.Shared.NextInt64(1_000_000, long.MaxValue / 2);

    public static long NowMs => DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();

    public static Task<HttpResponseMessage> Put(this HttpClient client, string url, object body) => client.PutAsJsonAsync(url, body, LeadsApp.Json);

    public static async Task ConnectHubSpotAsync(this LeadsApp app, Guid tenant, string secret, params long[] portals)
    {
        var response = await app.ClientFor(tenant).Put("/api/leads/integrations/hubspot", new { client_secret = secret, portal_ids = portals });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    public static string Json(params object[] events) => JsonSerializer.Serialize(events);

    public static object ContactChange(long portal, long hubspotContactId, string property, string value, long? eventId = null) => new
    {
        eventId = eventId ?? NewId(), subscriptionId = 1, portalId = portal, appId = 42, occurredAt = NowMs, subscriptionType = "contact.propertyChange",
        attemptNumber = 0, objectId = hubspotContactId, propertyName = property, propertyValue = value, changeSource = "CRM",
    };

    public static object DealChange(long portal, long dealId, string property, string value, long? eventId = null, long? occurredAt = null) => new
    {
        eventId = eventId ?? NewId(), subscriptionId = 2, portalId = portal, appId = 42, occurredAt = occurredAt ?? NowMs,
        subscriptionType = "deal.propertyChange", attemptNumber = 0, objectId = dealId, propertyName = property, propertyValue = value, changeSource = "CRM",
    };

    public static HttpRequestMessage Request(string path, string body)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        return request;
    }

    /// <summary>v3: base64(HMAC-SHA256(secret, method + URI + body + timestamp)).</summary>
    public static HttpRequestMessage SignedV3(string path, string body, string secret, DateTimeOffset? at = null, string publicBase = LocalBase)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeMilliseconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = Convert.ToBase64String(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"POST{publicBase}{path}{body}{timestamp}")));
        var request = Request(path, body);
        request.Headers.Add("X-HubSpot-Signature-v3", signature);
        request.Headers.Add("X-HubSpot-Request-Timestamp", timestamp);
        return request;
    }

    /// <summary>v2: hex(SHA-256(secret + method + URI + body)).</summary>
    public static HttpRequestMessage SignedV2(string path, string body, string secret)
    {
        var request = Request(path, body);
        request.Headers.Add("X-HubSpot-Signature", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{secret}POST{LocalBase}{path}{body}"))));
        request.Headers.Add("X-HubSpot-Signature-Version", "v2");
        return request;
    }

    /// <summary>v1: hex(SHA-256(secret + body)).</summary>
    public static HttpRequestMessage SignedV1(string path, string body, string secret)
    {
        var request = Request(path, body);
        request.Headers.Add("X-HubSpot-Signature", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes($"{secret}{body}"))));
        request.Headers.Add("X-HubSpot-Signature-Version", "v1");
        return request;
    }
}
