using System.Buffers;
using System.Text.Json;
using GrowthOps.Bench.Infrastructure;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace GrowthOps.Bench.Email;

/// <summary>
/// Postmark's batch endpoint as fast as it can be answered: Kestrel in this process, <c>POST /email/batch</c> checks the
/// server token, reads the JSON array and answers one result per message in Postmark's wire format (ErrorCode, Message,
/// MessageID, SubmittedAt, To). It counts what it accepted, so the benchmark can check that nothing went missing.
/// </summary>
sealed class FakePostmark : IAsyncDisposable
{
    readonly WebApplication _app;
    long _accepted;
    long _requests;

    FakePostmark(WebApplication app, string token)
    {
        _app = app;
        Token = token;
    }

    public string Token { get; }
    public string BaseUrl => _app.Urls.First();
    public long Accepted => Interlocked.Read(ref _accepted);
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>The largest request body received (the raw phase posts it again), and its number of messages.</summary>
    public byte[]? LargestBody { get; private set; }
    public int LargestCount { get; private set; }

    public static async Task<FakePostmark> StartAsync(CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.WebHost.ConfigureKestrel(k => k.Limits.MaxRequestBodySize = 60 * 1024 * 1024);
        var app = builder.Build();
        var fake = new FakePostmark(app, "bench-server-token");
        app.MapPost("/email/batch", fake.BatchAsync);
        await app.StartAsync(ct);
        return fake;
    }

    async Task BatchAsync(HttpContext context)
    {
        Interlocked.Increment(ref _requests);
        if (context.Request.Headers["X-Postmark-Server-Token"] != Token)
        {
            context.Response.StatusCode = 401;
            await context.Response.WriteAsJsonAsync(new { ErrorCode = 10, Message = "The Server Token you provided in the X-Postmark-Server-Token request header was invalid." });
            return;
        }

        var body = await ReadAllAsync(context.Request.BodyReader, context.RequestAborted);
        var recipients = Recipients(body.FirstSpan.Length == body.Length ? new Utf8JsonReader(body.FirstSpan) : new Utf8JsonReader(body));
        context.Response.ContentType = "application/json";
        var now = DateTimeOffset.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffffffzzz", System.Globalization.CultureInfo.InvariantCulture);
        await using (var writer = new Utf8JsonWriter(context.Response.BodyWriter))
        {
            writer.WriteStartArray();
            foreach (var to in recipients)
            {
                writer.WriteStartObject();
                writer.WriteNumber("ErrorCode", 0);
                writer.WriteString("Message", "OK");
                writer.WriteString("MessageID", Guid.NewGuid());
                writer.WriteString("SubmittedAt", now);
                writer.WriteString("To", to);
                writer.WriteEndObject();
            }
            writer.WriteEndArray();
        }
        if (recipients.Count > LargestCount)
            lock (this)
                if (recipients.Count > LargestCount)
                {
                    LargestBody = body.ToArray();
                    LargestCount = recipients.Count;
                }
        context.Request.BodyReader.AdvanceTo(body.End);
        Interlocked.Add(ref _accepted, recipients.Count);
    }

    static async Task<ReadOnlySequence<byte>> ReadAllAsync(System.IO.Pipelines.PipeReader reader, CancellationToken ct)
    {
        while (true)
        {
            var result = await reader.ReadAsync(ct);
            if (result.IsCompleted)
                return result.Buffer;
            reader.AdvanceTo(result.Buffer.Start, result.Buffer.End);
        }
    }

    /// <summary>The <c>To</c> of every message in the array (Postmark answers in the order of the request).</summary>
    static List<string> Recipients(Utf8JsonReader reader)
    {
        var recipients = new List<string>(500);
        while (reader.Read())
        {
            if (reader.TokenType == JsonTokenType.PropertyName && reader.CurrentDepth == 2 && reader.ValueTextEquals("To"u8))
            {
                reader.Read();
                recipients.Add(reader.GetString() ?? "");
            }
            else if (reader.TokenType is JsonTokenType.StartObject or JsonTokenType.StartArray && reader.CurrentDepth >= 2)
            {
                reader.Skip();
            }
        }
        return recipients;
    }

    public ValueTask DisposeAsync() => BenchWebApps.StopQuietlyAsync(_app, "the Postmark fake");
}
