using System.Globalization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc.ModelBinding;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// The problems every operation can answer, and their body. <c>UseServiceDefaults</c> turns every error response into an
/// RFC 7807 document — an empty 404 from <c>TypedResults.NotFound()</c> included — so every error status gets the problem
/// schema; every operation answers 400 (an unknown query parameter; malformed JSON, a value that does not bind, invalid
/// fields; and, before any endpoint runs, a path trick or text that cannot be stored anywhere in the request), operations with
/// a body 413, and all of them 503 when the database is unavailable.
/// </summary>
sealed class ProblemResponsesTransformer : IOpenApiOperationTransformer
{
    const string ProblemJson = "application/problem+json";

    public async Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        operation.Responses ??= new OpenApiResponses();
        var parameters = context.Description.ParameterDescriptions;
        var hasBody = parameters.Any(p => p.Source == BindingSource.Body || p.Source == BindingSource.Form);
        // Every operation: one it does not declare is refused (QueryParameters), and RequestChecks refuses a dot segment or a NUL
        // anywhere in the request.
        operation.Responses.TryAdd(Key(StatusCodes.Status400BadRequest), new OpenApiResponse
        {
            Description = "Bad request: malformed JSON, a value that does not bind, an unknown or repeated query parameter, invalid fields, "
                          + "a path trick, or text that cannot be stored (NUL, invalid UTF-8, an unpaired surrogate) in the path, query, "
                          + "headers or body (errors by field).",
        });
        if (hasBody)
            operation.Responses.TryAdd(Key(StatusCodes.Status413PayloadTooLarge), new OpenApiResponse { Description = "The body exceeds the limit." });
        operation.Responses.TryAdd(Key(StatusCodes.Status503ServiceUnavailable), new OpenApiResponse
        {
            Description = "A dependency is unavailable; nothing was changed. Retry after Retry-After seconds.",
        });

        // ApiExplorer drops the description a handler declares for a response; it says when the response happens (all the
        // cases, when a handler and a filter such as Idempotency-Key's both declare one status).
        foreach (var declared in context.Description.ActionDescriptor.EndpointMetadata.OfType<IProducesResponseTypeMetadata>()
                     .Where(d => d.Description is { Length: > 0 }).GroupBy(d => d.StatusCode))
            if (operation.Responses.TryGetValue(Key(declared.Key), out var described) && described is OpenApiResponse response)
                response.Description = string.Join(" Or: ", declared.Select(d => d.Description).Distinct());

        IOpenApiSchema? problem = null;
        IOpenApiSchema? validationProblem = null;
        foreach (var (status, response) in operation.Responses)
        {
            if (!int.TryParse(status, NumberStyles.None, CultureInfo.InvariantCulture, out var code) || code < 400 || response is not OpenApiResponse error)
                continue;
            if (error.Content is { Count: > 0 } content)
            {
                // A problem declared with ProducesProblem: written as problem+json only, whatever else the metadata listed.
                if (content.TryGetValue(ProblemJson, out var declared))
                {
                    content.Clear();
                    content[ProblemJson] = declared;
                }

                continue;
            }

            var schema = code == StatusCodes.Status400BadRequest
                ? validationProblem ??= await context.GetOrCreateSchemaAsync(typeof(HttpValidationProblemDetails), null, cancellationToken)
                : problem ??= await context.GetOrCreateSchemaAsync(typeof(Microsoft.AspNetCore.Mvc.ProblemDetails), null, cancellationToken);
            error.Content = new Dictionary<string, OpenApiMediaType> { [ProblemJson] = new() { Schema = schema } };
            if (string.IsNullOrEmpty(error.Description) || error.Description == ReasonPhrase(code))
                error.Description = ReasonPhrase(code);
        }
    }

    static string Key(int code) => code.ToString(CultureInfo.InvariantCulture);

    static string ReasonPhrase(int code) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(code);
}
