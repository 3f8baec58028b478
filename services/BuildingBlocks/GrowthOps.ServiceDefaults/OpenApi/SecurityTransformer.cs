using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using GrowthOps.ServiceDefaults.Authorization;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Every operation needs a bearer token — the fallback policy requires one with a tenant — unless its endpoint allows
/// anonymous callers (webhooks verified by signature), which the document says with an empty <c>security</c>.
/// </summary>
sealed class SecurityTransformer : IOpenApiOperationTransformer
{
    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [];
            return Task.CompletedTask;
        }

        var scopes = context.Description.ActionDescriptor.EndpointMetadata.OfType<RequiredScope>().Select(r => r.Scope).Distinct().ToList();
        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiDefaults.BearerScheme, context.Document)] = scopes },
        ];
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd(Status(StatusCodes.Status401Unauthorized), new OpenApiResponse { Description = "No token, or an invalid one." });
        if (scopes.Count > 0)
        {
            var needs = string.Join(", ", scopes);
            operation.Description = (operation.Description is { Length: > 0 } d ? d + "\n\n" : "") + $"Requires the scope `{needs}`.";
            operation.Extensions ??= new Dictionary<string, IOpenApiExtension>();
            operation.Extensions["x-required-scopes"] = new JsonNodeExtension(new System.Text.Json.Nodes.JsonArray(scopes.Select(x => (System.Text.Json.Nodes.JsonNode?)x).ToArray()));
            operation.Responses.TryAdd(Status(StatusCodes.Status403Forbidden),
                new OpenApiResponse { Description = $"The token carries no tenant, or lacks the scope {needs}." });
        }
        else
            operation.Responses.TryAdd(Status(StatusCodes.Status403Forbidden), new OpenApiResponse { Description = "The token carries no tenant." });
        return Task.CompletedTask;
    }

    static string Status(int code) => code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
