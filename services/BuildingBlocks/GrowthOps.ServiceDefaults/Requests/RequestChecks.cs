using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// The middleware that refuses a request for its shape before any endpoint runs, each answering with a problem through
/// <see cref="MalformedRequestException"/>. <see cref="Extensions.UseServiceDefaults"/> puts them in order.
/// </summary>
public static class RequestChecks
{
    /// <summary>The display name routing gives the endpoint it picks when a path matches but the method does not.</summary>
    const string MethodNotAllowedEndpoint = "405 HTTP Method Not Supported";

    /// <summary>
    /// The target's length (414), the headers' count, size and characters (431, 400), path tricks and query text (400). Cheap: a
    /// pass over the target and the header values, decoding only what is percent-encoded.
    /// </summary>
    public static Task CheckTargetAndHeaders(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var limits = Limits(context);
        var request = context.Request;
        var target = RequestTarget.AsSent(context);
        if (target.Length > limits.MaxRequestTargetBytes)
            throw new MalformedRequestException("URI too long",
                $"The request target (path and query) is {target.Length} bytes; at most {limits.MaxRequestTargetBytes} are accepted.",
                StatusCodes.Status414UriTooLong);
        RequestHeaders.Check(request.Headers, limits);
        if (RequestTarget.FindPathTrick(RequestTarget.PathOf(target)) is { } trick)
            throw MalformedRequestException.ForField("Invalid path", "path", trick);
        if (RequestTarget.FindInvalidQuery(request.QueryString.Value) is (var parameter, var reason))
            throw MalformedRequestException.ForField("Invalid text", parameter, reason);
        return next(context);
    }

    /// <summary>
    /// Refuses a declared oversize body before reading (or proxying) any of it, on any server; Kestrel's own limit still cuts off
    /// chunked bodies. An endpoint's RequestSizeLimit metadata overrides the default.
    /// </summary>
    public static Task RefuseOversizeBody(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var limit = BodyLimit(context);
        if (context.Request.ContentLength > limit)
            throw TooLarge(limit);
        return next(context);
    }

    /// <summary>
    /// Answers a method the route does not take with routing's own 405 (and <c>Allow</c>) before authentication, which would
    /// otherwise apply the fallback policy to that endpoint and answer 401 on an anonymous route.
    /// </summary>
    public static Task AnswerMethodNotAllowed(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        return context.GetEndpoint() is { DisplayName: MethodNotAllowedEndpoint, RequestDelegate: { } answer } ? answer(context) : next(context);
    }

    /// <summary>
    /// Reads a JSON body (<c>application/json</c>, <c>*/*+json</c>) up to the endpoint's size limit, refuses it when a string or
    /// property name is not storable text (<see cref="JsonText"/>), and hands the endpoint the same bytes, seekable, so that a
    /// signature over the raw body still verifies. After authorization: an anonymous caller gets a 401 first, and no buffering.
    /// </summary>
    public static async Task CheckJsonBody(HttpContext context, RequestDelegate next)
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(next);
        var request = context.Request;
        if (request.ContentLength == 0 || !request.HasJsonContentType() || context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == false ||
            context.GetEndpoint() is not { } endpoint || endpoint.Metadata.GetMetadata<UncheckedBodyAttribute>() is not null)
        {
            await next(context);
            return;
        }

        var (body, length) = await ReadAsync(request, BodyLimit(context), context.RequestAborted);
        if (JsonText.FindInvalid(body.AsSpan(0, length)) is (var path, var reason))
            throw MalformedRequestException.ForField("Invalid text", path, reason);
        request.Body = new MemoryStream(body, 0, length, writable: false, publiclyVisible: true);
        await next(context);
    }

    static async Task<(byte[] Body, int Length)> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        // RefuseOversizeBody has held a declared length to the limit; a body without one grows until it passes it.
        var declared = request.ContentLength;
        var body = new byte[declared ?? Math.Min(limit + 1, 16 * 1024)];
        var length = 0;
        while (true)
        {
            if (length == body.Length)
            {
                if (declared is not null)
                    break;
                Array.Resize(ref body, (int)Math.Min(limit + 1, body.Length * 2L));
            }

            var read = await request.Body.ReadAsync(body.AsMemory(length), ct);
            if (read == 0)
                break;
            length += read;
            if (length > limit)
                throw TooLarge(limit);
        }

        return (body, length);
    }

    static long BodyLimit(HttpContext context) =>
        context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? Limits(context).MaxRequestBodyBytes;

    static BadHttpRequestException TooLarge(long limit) =>
        new($"The request body exceeds the limit of {limit} bytes for this endpoint.", StatusCodes.Status413PayloadTooLarge);

    static HttpLimitsOptions Limits(HttpContext context) => context.RequestServices.GetRequiredService<IOptions<HttpLimitsOptions>>().Value;
}
