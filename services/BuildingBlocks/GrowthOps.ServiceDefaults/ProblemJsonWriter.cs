using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's <c>Accept</c> says. The framework's writer
/// declines unless the client accepts JSON; then the exception handler, status-code pages and the rate limiter have no writer,
/// and a browser (<c>Accept: text/html</c>) got an empty 400 (the exception counted as unhandled and was logged as an error)
/// or a <c>text/plain</c> "Status Code: 404". An API has one error format; a client that cannot read it can still read the status.
/// </summary>
public sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> options) : IProblemDetailsWriter
{
    public const string ContentType = "application/problem+json";

    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var problem = context.ProblemDetails;
        problem.Status ??= context.HttpContext.Response.StatusCode;
        // Constructing the result fills in the RFC 9110 type and title for the status, from the framework's own table.
        _ = TypedResults.Problem(problem);
        options.Value.CustomizeProblemDetails?.Invoke(context);
        // The runtime type, so that a validation problem keeps its `errors`.
        return new ValueTask(context.HttpContext.Response.WriteAsJsonAsync(problem, problem.GetType(), options: null, ContentType));
    }
}
