using System.Security.Cryptography;
using GrowthOps.ServiceDefaults;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Persistence.Idempotency;

/// <summary>
/// Runs an endpoint that opted in with <c>WithIdempotency</c>. Without an <c>Idempotency-Key</c> the endpoint runs as it is.
/// With one, it runs once per tenant and key: the request's unit of work is opened here (the handler's data access joins it),
/// the response is buffered, and a success (2xx) is stored with the COMMIT of its effects; anything else rolls back and
/// stores nothing, so the client can retry with the same key. A retry gets the stored response with
/// <c>Idempotent-Replayed: true</c>; the same key for a different request gets 422; a retry while the first is still
/// running gets 409.
/// </summary>
static class IdempotentRequest
{
    public static async Task InvokeAsync(HttpContext context, RequestDelegate endpoint)
    {
        if (!context.Request.Headers.TryGetValue(IdempotencyHeaders.Key, out var header))
        {
            await endpoint(context);
            return;
        }

        if (!IdempotencyHeaders.TryParseKey(header, out var key, out var error))
        {
            await Problem(context, StatusCodes.Status400BadRequest, "Invalid Idempotency-Key", error);
            return;
        }

        var services = context.RequestServices;
        if (!services.GetRequiredService<CurrentTenant>().IsSet)
            throw new InvalidOperationException("WithIdempotency needs a tenant: keys are kept per tenant, so use it on tenant endpoints only.");
        var unitOfWork = services.GetRequiredService<UnitOfWork>();
        if (unitOfWork.IsActive)
            throw new InvalidOperationException("The request's unit of work is already open: WithIdempotency must open it, so the stored response commits with the effects.");

        var ct = context.RequestAborted;
        var request = $"{context.Request.Method} {context.Request.PathBase}{context.Request.Path}{context.Request.QueryString}";
        var requestHash = await HashBodyAsync(context.Request, ct);
        var store = services.GetRequiredService<IdempotencyStore>();

        await unitOfWork.BeginAsync(ct);
        try
        {
            var (locked, stored) = await store.LockAndFindAsync(key, ct);
            if (stored is not null)
            {
                await unitOfWork.RollbackAsync();
                if (stored.Answers(request, requestHash))
                    await ReplayAsync(context, stored);
                else
                    await Problem(context, StatusCodes.Status422UnprocessableEntity, "Idempotency-Key reused",
                        $"This Idempotency-Key was used for another request ({stored.Request} with another body); use a new key for a new request.");
                return;
            }

            if (!locked)
            {
                await unitOfWork.RollbackAsync();
                context.Response.Headers.RetryAfter = "1";
                await Problem(context, StatusCodes.Status409Conflict, "Request in progress",
                    "A request with this Idempotency-Key is still being processed; retry when it has completed to get its response.");
                return;
            }

            var body = await RunBufferedAsync(context, endpoint);
            var response = context.Response;
            if (response.StatusCode is >= 200 and < 300)
            {
                store.DeferSave(key, new StoredResponse(request, requestHash, response.StatusCode, response.ContentType,
                    response.Headers.Location.ToString() is { Length: > 0 } location ? location : null, body));
                await unitOfWork.CommitAsync(ct);
            }
            else
            {
                await unitOfWork.RollbackAsync();
            }

            await WriteBodyAsync(context, body);
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    /// <summary>The fingerprint of the body; buffering lets the endpoint read it again afterwards.</summary>
    static async Task<byte[]> HashBodyAsync(HttpRequest request, CancellationToken ct)
    {
        request.EnableBuffering();
        var hash = await SHA256.HashDataAsync(request.Body, ct);
        request.Body.Position = 0;
        return hash;
    }

    /// <summary>
    /// Runs the endpoint with its body written to memory: nothing reaches the client before the commit, so a failed commit
    /// still answers with a problem, and the bytes stored are the bytes sent.
    /// </summary>
    static async Task<byte[]> RunBufferedAsync(HttpContext context, RequestDelegate endpoint)
    {
        var original = context.Features.GetRequiredFeature<IHttpResponseBodyFeature>();
        using var buffer = new MemoryStream();
        var buffered = new StreamResponseBodyFeature(buffer);
        context.Features.Set<IHttpResponseBodyFeature>(buffered);
        try
        {
            await endpoint(context);
            await buffered.CompleteAsync();
        }
        finally
        {
            context.Features.Set(original);
        }

        return buffer.ToArray();
    }

    static Task ReplayAsync(HttpContext context, StoredResponse stored)
    {
        var response = context.Response;
        response.StatusCode = stored.Status;
        if (stored.ContentType is { } contentType)
            response.ContentType = contentType;
        if (stored.Location is { } location)
            response.Headers.Location = location;
        response.Headers[IdempotencyHeaders.Replayed] = "true";
        return WriteBodyAsync(context, stored.Body);
    }

    static async Task WriteBodyAsync(HttpContext context, byte[] body)
    {
        if (body.Length == 0)
            return;
        context.Response.ContentLength = body.Length;
        await context.Response.Body.WriteAsync(body, context.RequestAborted);
    }

    static Task Problem(HttpContext context, int status, string title, string detail) =>
        TypedResults.Problem(detail, statusCode: status, title: title).ExecuteAsync(context);
}
