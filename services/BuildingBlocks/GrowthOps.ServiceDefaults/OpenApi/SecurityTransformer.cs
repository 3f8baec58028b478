using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
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

        operation.Security =
        [
            new OpenApiSecurityRequirement { [new OpenApiSecuritySchemeReference(OpenApiDefaults.BearerScheme, context.Document)] = [] },
        ];
        operation.Responses ??= new OpenApiResponses();
        operation.Responses.TryAdd(Status(StatusCodes.Status401Unauthorized), new OpenApiResponse { Description = "No token, or an invalid one." });
        operation.Responses.TryAdd(Status(StatusCodes.Status403Forbidden), new OpenApiResponse { Description = "The token carries no tenant." });
        return Task.CompletedTask;
    }

    static string Status(int code) => code.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
