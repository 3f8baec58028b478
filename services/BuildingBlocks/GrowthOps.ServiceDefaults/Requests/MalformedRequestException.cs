using Microsoft.AspNetCore.Http;

namespace GrowthOps.ServiceDefaults.Requests;

/// <summary>
/// A request refused before any endpoint ran, for its shape: a path trick, text that cannot be stored or read, a header that
/// cannot be forwarded, a target or headers over the limits. A <see cref="BadHttpRequestException"/> like the framework's own,
/// with a title and, where a field is to blame, <see cref="Errors"/> naming it (as a validation problem does).
/// </summary>
public sealed class MalformedRequestException(string title, string detail, int statusCode = StatusCodes.Status400BadRequest,
    IReadOnlyDictionary<string, string[]>? errors = null) : BadHttpRequestException(detail, statusCode)
{
    public string Title { get; } = title;

    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors ?? new Dictionary<string, string[]>();

    /// <summary>A 400 naming the field (JSON path, query parameter, header, <c>path</c>) that is refused, and why.</summary>
    public static MalformedRequestException ForField(string title, string field, string reason) =>
        new(title, $"'{field}' {reason}.", errors: new Dictionary<string, string[]> { [field] = [reason] });
}
