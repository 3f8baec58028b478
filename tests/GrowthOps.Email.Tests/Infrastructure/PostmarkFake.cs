using System.Collections.Concurrent;
using System.Text.Json;
using WireMock;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Types;
using WireMock.Util;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>
/// Postmark's <c>POST /email/batch</c> as Postmark answers it: a 200 array with one result per message, in order
/// (<c>ErrorCode</c> 0 and a fresh <c>MessageID</c>, or the code <see cref="Reject"/> set for the address); 401 with
/// <c>ErrorCode</c> 10 for a wrong <c>X-Postmark-Server-Token</c>; 422 with <c>ErrorCode</c> 410 above 500 messages;
/// <see cref="FailNext"/> answers the next requests 429 or 500. Every request is kept, its body parsed, in <see cref="Requests"/>.
/// </summary>
public sealed class PostmarkFake : IDisposable
{
    public sealed record BatchRequest(string? ServerToken, string? Accept, string? ContentType, JsonElement Body)
    {
        public IReadOnlyList<JsonElement> Messages => [.. Body.EnumerateArray()];
    }

    readonly WireMockServer _server;
    readonly ConcurrentDictionary<string, (int Code, string Message)> _rejected = new(StringComparer.OrdinalIgnoreCase);
    readonly ConcurrentQueue<BatchRequest> _requests = new();
    readonly ConcurrentQueue<int> _faults = new();

    public PostmarkFake(string serverToken = "pm-server-token")
    {
        ServerToken = serverToken;
        _server = WireMockServer.Start();
        _server.Given(Request.Create().WithPath("/email/batch").UsingPost())
            .RespondWith(Response.Create().WithCallback(Answer));
    }

    /// <summary>The token the fake accepts.</summary>
    public string ServerToken { get; }

    public string Url => _server.Url!;

    public IReadOnlyList<BatchRequest> Requests => [.. _requests];

    /// <summary>Every message of every request, in order.</summary>
    public IReadOnlyList<JsonElement> Messages => [.. _requests.SelectMany(r => r.Messages)];

    /// <summary>Messages to <paramref name="address"/> get <paramref name="errorCode"/> (e.g. 406 inactive recipient, 300 invalid request).</summary>
    public void Reject(string address, int errorCode, string message) => _rejected[address] = (errorCode, message);

    /// <summary>The next <paramref name="times"/> requests answer <paramref name="status"/> (429 or 500) and send nothing.</summary>
    public void FailNext(int status, int times = 1)
    {
        for (var i = 0; i < times; i++)
            _faults.Enqueue(status);
    }

    ResponseMessage Answer(IRequestMessage request)
    {
        var body = JsonSerializer.Deserialize<JsonElement>(request.Body ?? "null");
        _requests.Enqueue(new BatchRequest(Header(request, "X-Postmark-Server-Token"), Header(request, "Accept"), Header(request, "Content-Type"), body));

        if (Header(request, "X-Postmark-Server-Token") != ServerToken)
            return Json(401, new
            {
                ErrorCode = 10,
                Message = "The Server Token you provided in the X-Postmark-Server-Token request header was invalid. Please verify that you are using a valid token.",
            });
        if (_faults.TryDequeue(out var fault))
            return fault == 429
                ? Json(429, new { ErrorCode = 429, Message = "Rate limit exceeded." })
                : Json(fault, new { ErrorCode = 0, Message = "Internal server error." });
        if (body.ValueKind != JsonValueKind.Array)
            return Json(422, new { ErrorCode = 402, Message = "Invalid JSON." });
        if (body.GetArrayLength() > 500)
            return Json(422, new { ErrorCode = 410, Message = "Too many batch messages: at most 500." });

        var now = DateTimeOffset.Now;
        var results = body.EnumerateArray().Select(message =>
        {
            var to = message.TryGetProperty("To", out var t) ? t.GetString() ?? "" : "";
            // A refused message has no MessageID, SubmittedAt or To, as in Postmark's answers.
            return _rejected.TryGetValue(to, out var rejection)
                ? new Dictionary<string, object> { ["ErrorCode"] = rejection.Code, ["Message"] = rejection.Message }
                : new Dictionary<string, object>
                {
                    ["ErrorCode"] = 0, ["Message"] = "OK", ["MessageID"] = Guid.NewGuid().ToString(), ["SubmittedAt"] = now.ToString("O"), ["To"] = to,
                };
        }).ToList();
        return Json(200, results);
    }

    static string? Header(IRequestMessage request, string name) =>
        request.Headers?.FirstOrDefault(h => string.Equals(h.Key, name, StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();

    static ResponseMessage Json(int status, object body) => new()
    {
        StatusCode = status,
        Headers = new Dictionary<string, WireMockList<string>> { ["Content-Type"] = new("application/json; charset=utf-8") },
        BodyData = new BodyData { BodyAsString = JsonSerializer.Serialize(body), DetectedBodyType = BodyType.String },
    };

    public void Dispose() => _server.Dispose();
}
