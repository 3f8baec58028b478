using System.Globalization;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Domain;
using GrowthOps.ServiceDefaults.Outbound;
using Polly.Timeout;

namespace GrowthOps.Leads.Integrations.Webhooks;

/// <summary>
/// Delivers a state change to a webhook action's URL, signed so the receiver can check it came from us:
/// <c>X-GrowthOps-Signature: sha256=&lt;hex HMAC-SHA256(secret, body)&gt;</c>. Retries and timeouts come from the named
/// client's pipeline; what is left after them (an error status, a timeout, a refused connection, a target the outbound
/// policy refuses) is returned as a failed result, never thrown: it is an outcome to record, not a reason to redeliver the
/// message.
/// </summary>
public sealed class AutomationWebhooks(IHttpClientFactory clients)
{
    public const string ClientName = "lead-automation-webhooks";
    public const string EventName = "lead.state_changed";
    public const string SignatureHeader = "X-GrowthOps-Signature";
    public const string TimestampHeader = "X-GrowthOps-Timestamp";
    public const string EventHeader = "X-GrowthOps-Event";

    static readonly JsonSerializerOptions Json = CreateJson();

    /// <summary>The body; <c>history_id</c> lets a receiver recognise a delivery it has already seen.</summary>
    sealed record Payload(string Event, Guid AutomationId, Guid HistoryId, ContactSnapshot Contact, string? FromState, string ToState,
        DateTimeOffset OccurredAt);

    public static string Sign(string secret, ReadOnlySpan<byte> body) =>
        "sha256=" + Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), body));

    public async Task<AutomationActionResult> SendAsync(AutomationAction action, string secret, Guid automationId, LeadStateChanged change,
        CancellationToken ct)
    {
        var body = JsonSerializer.SerializeToUtf8Bytes(
            new Payload(EventName, automationId, change.HistoryId, change.Contact, change.FromState, change.ToState, change.OccurredAt), Json);
        using var request = new HttpRequestMessage(new HttpMethod(action.Method ?? "POST"), action.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        request.Headers.TryAddWithoutValidation(SignatureHeader, Sign(secret, body));
        request.Headers.TryAddWithoutValidation(TimestampHeader, DateTimeOffset.UtcNow.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(EventHeader, EventName);

        try
        {
            using var response = await clients.CreateClient(ClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new AutomationActionResult(action.Type, AutomationActionResult.Succeeded, StatusCode: status)
                : new AutomationActionResult(action.Type, AutomationActionResult.Failed,
                    $"The webhook answered {status} {response.ReasonPhrase}.", status);
        }
        catch (OutboundRequestRefusedException e)
        {
            return new AutomationActionResult(action.Type, AutomationActionResult.Failed, $"The webhook was refused. {e.Message}");
        }
        catch (Exception e) when (!ct.IsCancellationRequested && e is HttpRequestException or TimeoutRejectedException or OperationCanceledException)
        {
            return new AutomationActionResult(action.Type, AutomationActionResult.Failed,
                e is TimeoutRejectedException or { InnerException: TimeoutException }
                    ? "The webhook did not answer in time."
                    : $"The webhook could not be reached: {e.Message}");
        }
    }

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        return options;
    }
}
