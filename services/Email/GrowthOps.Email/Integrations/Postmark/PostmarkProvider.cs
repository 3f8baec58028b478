using System.Globalization;
using System.Net;
using System.Text.Json;
using GrowthOps.Email.Domain.Sending;
using Polly.CircuitBreaker;
using Polly.Timeout;
using Refit;

namespace GrowthOps.Email.Integrations.Postmark;

/// <summary>
/// Sends through one Postmark server (<c>POST /email/batch</c>, at most <see cref="MaxBatch"/> messages a call). Postmark's own
/// open and link tracking stay off: Email's tracking decorator has already rewritten the message, and a second pixel would
/// count every open twice. Metadata carries the job id, so that Postmark's webhooks find the email without a look-up.
/// </summary>
public sealed class PostmarkProvider(IPostmarkApi api, string serverToken, string messageStream, string broadcastStream) : IEmailProvider
{
    public const string ProviderName = "postmark";

    /// <summary>Postmark's limit per batch call.</summary>
    public const int MaxBatch = 500;

    /// <summary>Postmark's code for a missing or wrong server token (HTTP 401).</summary>
    const int BadToken = 10;

    public string Name => ProviderName;

    public async Task<IReadOnlyList<SendOutcome>> SendAsync(IReadOnlyList<OutgoingEmail> batch, CancellationToken ct)
    {
        var outcomes = new List<SendOutcome>(batch.Count);
        foreach (var chunk in batch.Chunk(MaxBatch))
            outcomes.AddRange(await SendChunkAsync(chunk, ct));
        return outcomes;
    }

    public PostmarkMessage ToMessage(OutgoingEmail email)
    {
        var metadata = new Dictionary<string, string>
        {
            ["message_id"] = email.MessageId.ToString(),
            ["tenant_id"] = email.TenantId.ToString(),
        };
        if (email.CampaignId is { } campaign)
            metadata["campaign_id"] = campaign.ToString();
        return new PostmarkMessage
        {
            From = email.From,
            To = email.To,
            ReplyTo = email.ReplyTo,
            Subject = email.Subject,
            HtmlBody = email.Html,
            TextBody = email.Text,
            Headers = email.Headers.Count == 0 ? null : [.. email.Headers.Select(h => new PostmarkHeader(h.Key, h.Value))],
            Tag = email.Tag,
            MessageStream = email.Category == "marketing" ? broadcastStream : messageStream,
            TrackOpens = false,
            TrackLinks = "None",
            Metadata = metadata,
        };
    }

    async Task<IEnumerable<SendOutcome>> SendChunkAsync(OutgoingEmail[] chunk, CancellationToken ct)
    {
        IApiResponse<List<PostmarkSendResult>> response;
        try
        {
            response = await api.SendBatchAsync(serverToken, [.. chunk.Select(ToMessage)], ct);
        }
        catch (Exception e) when (e is HttpRequestException or TimeoutRejectedException or BrokenCircuitException
                                  || (e is TaskCanceledException && !ct.IsCancellationRequested))
        {
            return All(chunk, SendStatus.Transient, e is HttpRequestException ? "connection" : "timeout", $"Postmark could not be reached: {e.Message}");
        }

        using (response)
        {
            // Refit hands a failure before any answer (refused connection, timeout) back as the response's error.
            if (!response.IsReceived || response.StatusCode is not { } statusCode)
            {
                ct.ThrowIfCancellationRequested();
                var cause = response.Error?.InnerException ?? response.Error;
                return All(chunk, SendStatus.Transient, cause is HttpRequestException ? "connection" : "timeout",
                    $"Postmark could not be reached: {cause?.Message ?? "no answer"}");
            }

            if (response.IsSuccessStatusCode)
                return response.Content is { } results
                    ? chunk.Select((email, i) => i < results.Count ? Outcome(email, results[i]) : Missing(email))
                    : All(chunk, SendStatus.Transient, "unreadable", "Postmark answered 200 with a body that is not a batch result.");

            var status = (int)statusCode;
            var refusal = Refusal((response.Error as ApiException)?.Content);
            var code = refusal?.ErrorCode is { } c and not 0 ? c.ToString(CultureInfo.InvariantCulture) : status.ToString(CultureInfo.InvariantCulture);
            var message = refusal?.Message ?? response.ReasonPhrase ?? "no reason given";
            // A refused token or a refused request (422) stays refused on retry; a rate limit or Postmark's own failure passes.
            var transient = statusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout || status >= 500;
            var error = statusCode == HttpStatusCode.Unauthorized || refusal?.ErrorCode == BadToken
                ? $"Postmark refused the server token ({status}): {message}"
                : $"Postmark refused the batch ({status}): {message}";
            return All(chunk, transient ? SendStatus.Transient : SendStatus.Permanent, code, error);
        }
    }

    static SendOutcome Outcome(OutgoingEmail email, PostmarkSendResult result)
    {
        var code = result.ErrorCode.ToString(CultureInfo.InvariantCulture);
        var message = result.Message ?? "no reason given";
        return result.ErrorCode switch
        {
            0 => SendOutcome.Sent(email.MessageId, result.MessageId),
            // 100: Postmark is in maintenance; 429: the server's rate limit. Both pass; anything else is about this message
            // (300 invalid request, 406 inactive recipient) or the account (400/401 sender signature, 405, 412, 413), and a
            // retry gets the same answer.
            100 or 429 => SendOutcome.Transient(email.MessageId, code, message),
            _ => SendOutcome.Permanent(email.MessageId, code, message),
        };
    }

    static SendOutcome Missing(OutgoingEmail email) =>
        SendOutcome.Transient(email.MessageId, "no_result", "Postmark's answer had no result for this message.");

    static IEnumerable<SendOutcome> All(IEnumerable<OutgoingEmail> chunk, SendStatus status, string code, string error) =>
        chunk.Select(email => new SendOutcome(email.MessageId, status, null, code, error));

    static PostmarkSendResult? Refusal(string? body)
    {
        if (string.IsNullOrWhiteSpace(body))
            return null;
        try
        {
            return JsonSerializer.Deserialize<PostmarkSendResult>(body);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
