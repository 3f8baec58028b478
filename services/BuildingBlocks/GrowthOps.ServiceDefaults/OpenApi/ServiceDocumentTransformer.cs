using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace GrowthOps.ServiceDefaults.OpenApi;

/// <summary>The document's title, its server and the bearer scheme the operations refer to.</summary>
sealed class ServiceDocumentTransformer(string serviceName) : IOpenApiDocumentTransformer
{
    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = $"GrowthOps {char.ToUpperInvariant(serviceName[0])}{serviceName[1..]}",
            Version = OpenApiDefaults.DocumentName,
            Description = "JSON is snake_case. Errors are RFC 7807 problem documents (application/problem+json). Lists are paged with "
                          + "`limit` and the `next_cursor` of the previous page. Through the gateway, a caller over its rate limit gets 429 "
                          + "with Retry-After.",
        };

        // Relative to wherever the document was fetched from: the gateway (the public address) or the service itself.
        document.Servers = [new OpenApiServer { Url = "/" }];

        document.Components ??= new OpenApiComponents();
        document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
        document.Components.SecuritySchemes[OpenApiDefaults.BearerScheme] = new OpenApiSecurityScheme
        {
            Type = SecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "A JWT whose tenant_id claim (a UUID) is the tenant every request acts for.",
        };
        return Task.CompletedTask;
    }
}
