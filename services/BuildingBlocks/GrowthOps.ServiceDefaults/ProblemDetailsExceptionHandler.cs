using System.Data.Common;
using System.Text.Json;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.Requests;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Logging;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// Turns exceptions into RFC 7807 responses, the one place that chooses an HTTP status for them. Request-shaped failures
/// (malformed JSON, unbindable route or query values, a body over the size limit, a request <see cref="RequestChecks"/>
/// refuses) answer 400/413/414/431 with a reason, and <c>errors</c> naming the field where one is to blame; domain
/// refusals answer 404/409/422 with their message and details; a transient database failure answers 503; anything else is a
/// 500 without internals.
/// </summary>
public sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var (status, title, detail) = exception switch
        {
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } tooLarge =>
                (StatusCodes.Status413PayloadTooLarge, "Request body too large", tooLarge.Message),
            MalformedRequestException malformed => (malformed.StatusCode, malformed.Title, malformed.Message),
            BadHttpRequestException { InnerException: JsonException json } =>
                (StatusCodes.Status400BadRequest, "Malformed JSON", Describe(json)),
            BadHttpRequestException bad => (bad.StatusCode, "Bad request", bad.Message),
            JsonException json => (StatusCodes.Status400BadRequest, "Malformed JSON", Describe(json)),
            DomainException domain => (StatusCodeOf(domain), TitleOf(domain), domain.Message),
            // A unique key refused the write: what the request creates already exists (typically a concurrent request got
            // there between the handler's own check and its insert). Nothing was changed.
            DbException { SqlState: "23505" } => (StatusCodes.Status409Conflict, "Conflict",
                "It conflicts with something that already exists (a concurrent request may have just created it); nothing was changed."),
            // The database is unreachable, restarting or shedding load: the request may be retried as it is.
            DbException { IsTransient: true } => (StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "A dependency of the service is unavailable; nothing was changed. Retry later."),
            _ => (StatusCodes.Status500InternalServerError, "An unexpected error occurred", (string?)null),
        };

        if (status == StatusCodes.Status503ServiceUnavailable)
            logger.LogWarning("Request failed with 503 for {Method} {Path}: {Reason}", httpContext.Request.Method, httpContext.Request.Path, exception.Message);
        else if (status >= 500)
            logger.LogError(exception, "Unhandled exception for {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        else
            logger.LogInformation("Request rejected with {Status}: {Reason}", status, exception.Message);

        httpContext.Response.StatusCode = status;
        if (status == StatusCodes.Status503ServiceUnavailable)
            httpContext.Response.Headers.RetryAfter = "5";
        var problem = exception is MalformedRequestException { Errors.Count: > 0 } refused
            ? new HttpValidationProblemDetails(refused.Errors.ToDictionary()) { Status = status, Title = title, Detail = detail }
            : new ProblemDetails { Status = status, Title = title, Detail = detail };
        if (exception is DomainException { Details: var details })
            foreach (var (key, value) in details)
                problem.Extensions[key] = value;

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = problem,
        });
    }

    /// <summary>
    /// The status a domain refusal answers with. Public for the few places that report a refusal inside a successful response
    /// (a bulk request's per-item results, an automation's action results), so they say what the API itself would have said.
    /// </summary>
    public static int StatusCodeOf(DomainException exception) => exception switch
    {
        NotFoundException => StatusCodes.Status404NotFound,
        ConflictException => StatusCodes.Status409Conflict,
        _ => StatusCodes.Status422UnprocessableEntity, // RuleRefusedException, and any refusal a service adds
    };

    static string TitleOf(DomainException exception) => exception switch
    {
        NotFoundException => "Not found",
        ConflictException => "Conflict",
        _ => "Unprocessable entity",
    };

    static string Describe(JsonException json) =>
        json.Path is { Length: > 0 } path ? $"The request body is not valid JSON at '{path}'." : "The request body is not valid JSON.";
}
