using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;

namespace GrowthOps.ServiceDefaults.Paging;

/// <summary>
/// Which page of a list to answer, from the query string: bind it with <c>[AsParameters] PageRequest page</c>. Every endpoint
/// that takes one checks <c>limit</c> and <c>cursor</c> before its handler runs — a 400 validation problem naming the field —
/// and its OpenAPI operation says so. Lists are newest first and keyed by (time, id): see <see cref="PageCursor"/>.
/// </summary>
public sealed record PageRequest(
    [property: Description("The next_cursor of the previous page; absent for the first page.")]
    string? Cursor = null,
    [property: Description("Items per page; " + PageRequest.DefaultLimitText + " when absent.")]
    [property: Range(1, PageRequest.MaxLimit)]
    int? Limit = null) : IEndpointParameterMetadataProvider
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    // Attribute arguments cannot format an int; a test holds the two together.
    internal const string DefaultLimitText = "50";

    /// <summary>The number of items to answer.</summary>
    public int Size => Limit ?? DefaultLimit;

    /// <summary>The position the page starts after, or null for the first page. An invalid cursor never gets here (see <see cref="Errors"/>).</summary>
    public PageCursor.Position? After => Cursor is null ? null
        : PageCursor.TryDecode(Cursor, out var position) ? position
        : throw new BadHttpRequestException("The cursor is not one this API returned.");

    /// <summary>What is wrong with the request, by query parameter; null when nothing is.</summary>
    public Dictionary<string, string[]>? Errors()
    {
        var errors = new Dictionary<string, string[]>();
        if (Limit is < 1 or > MaxLimit)
            errors["limit"] = [$"must be between 1 and {MaxLimit}"];
        if (Cursor is not null && !PageCursor.TryDecode(Cursor, out _))
            errors["cursor"] = ["is not a cursor this API returned"];
        return errors.Count > 0 ? errors : null;
    }

    /// <summary>Called once per endpoint that binds a page request: adds the check and the 400 it answers.</summary>
    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Metadata.Add(new ProducesResponseTypeMetadata(StatusCodes.Status400BadRequest, typeof(HttpValidationProblemDetails),
            ["application/problem+json"]));
        builder.FilterFactories.Add((context, next) =>
        {
            var index = Array.FindIndex(context.MethodInfo.GetParameters(), p => p.ParameterType == typeof(PageRequest));
            return invocation => invocation.Arguments[index] is PageRequest page && page.Errors() is { } errors
                ? ValueTask.FromResult<object?>(TypedResults.ValidationProblem(errors))
                : next(invocation);
        });
    }
}
