using Microsoft.AspNetCore.Http;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// Thrown from deep inside a request (a store, a domain rule) to answer with a specific RFC 7807 problem
/// instead of threading a result type through every layer.
/// </summary>
public sealed class RequestProblemException(int statusCode, string title, string? detail = null,
    IReadOnlyDictionary<string, object?>? extensions = null) : Exception(detail ?? title)
{
    public int StatusCode { get; } = statusCode;
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public IReadOnlyDictionary<string, object?>? Extensions { get; } = extensions;

    public static RequestProblemException Conflict(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status409Conflict, "Conflict", detail, extensions);

    public static RequestProblemException NotFound(string detail) => new(StatusCodes.Status404NotFound, "Not found", detail);

    public static RequestProblemException Forbidden(string detail) => new(StatusCodes.Status403Forbidden, "Forbidden", detail);

    public static RequestProblemException Unprocessable(string detail, IReadOnlyDictionary<string, object?>? extensions = null) =>
        new(StatusCodes.Status422UnprocessableEntity, "Unprocessable entity", detail, extensions);
}
