using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>
/// Every service's OpenAPI document, <c>/openapi/v1.json</c>, generated from its endpoints by Microsoft.AspNetCore.OpenApi:
/// snake_case schemas as the service writes them, the RFC 7807 problems every operation can answer, JWT bearer security
/// (anonymous operations marked), request bodies that handlers read by hand declared with <c>Accepts&lt;T&gt;</c>, and the size
/// limits of every request member.
/// The gateway proxies it and lists it at <c>/docs</c>.
/// </summary>
public static class OpenApiDefaults
{
    public const string DocumentName = "v1";

    /// <summary>Where a service serves its document.</summary>
    public const string DocumentPath = "/openapi/" + DocumentName + ".json";

    /// <summary>The security scheme of every operation that needs a token.</summary>
    public const string BearerScheme = "Bearer";

    public static IHostApplicationBuilder AddOpenApiDefaults(this IHostApplicationBuilder builder, string serviceName)
    {
        builder.Services.AddOpenApi(DocumentName, options =>
        {
            // "Any JSON" stays inline: as a shared component, a nullable JsonElement member would become
            // oneOf [null, {}], which no value satisfies exactly once (null matches both).
            options.CreateSchemaReferenceId = type =>
                (Nullable.GetUnderlyingType(type.Type) ?? type.Type) == typeof(JsonElement) ? null : OpenApiOptions.CreateDefaultSchemaReferenceId(type);
            options.AddDocumentTransformer(new ServiceDocumentTransformer(serviceName));
            options.AddOperationTransformer<NamingTransformer>();
            options.AddOperationTransformer<AcceptedBodyTransformer>();
            options.AddOperationTransformer<SecurityTransformer>();
            options.AddOperationTransformer<ProblemResponsesTransformer>();
            options.AddSchemaTransformer<LimitsSchemaTransformer>();
        });
        return builder;
    }

    /// <summary>
    /// Anonymous: the document describes the API, not a tenant's data, and the gateway decides who may read it from outside
    /// (anonymous in Development, behind a token in Production).
    /// </summary>
    public static IEndpointRouteBuilder MapOpenApiDocument(this IEndpointRouteBuilder app)
    {
        app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
        return app;
    }
}
