using Scalar.AspNetCore;
using Yarp.ReverseProxy.Configuration;

namespace GrowthOps.Gateway;

/// <summary>
/// The browsable API reference at <c>/docs</c> (Scalar), listing the OpenAPI document of every service the gateway routes
/// to. The documents are fetched through the gateway itself — each a route (<c>/openapi/&lt;service&gt;/v1.json</c>) whose
/// metadata <c>OpenApiDocument</c> names the service and that rewrites to the service's <c>/openapi/v1.json</c> — so the
/// browser never calls a service directly (no CORS, no internal addresses). Adding a service is adding such a route.
/// </summary>
public static class ApiReference
{
    public const string Path = "/docs";

    /// <summary>Where the gateway serves a service's document (a route per service, rewritten to the service's own path).</summary>
    public const string DocumentPattern = "/openapi/{documentName}/v1.json";

    /// <summary>Route metadata key whose value is the title a document is listed under.</summary>
    public const string DocumentMetadata = "OpenApiDocument";

    /// <summary>Anonymous in Development; elsewhere the fallback policy applies: a token with a tenant, as for the API.</summary>
    public static WebApplication MapApiReference(this WebApplication app)
    {
        var docs = app.MapScalarApiReference(Path, (options, context) =>
        {
            options.WithTitle("GrowthOps API")
                // Also what /docs/<service> loads: the gateway's document routes follow this pattern.
                .WithOpenApiRoutePattern(DocumentPattern)
                // The fonts would come from Scalar's CDN; the machines this runs on may have no internet.
                .DisableDefaultFonts()
                .AddPreferredSecuritySchemes(ServiceDefaults.OpenApi.OpenApiDefaults.BearerScheme);
            foreach (var (name, title, url) in Documents(context.RequestServices.GetRequiredService<IProxyConfigProvider>().GetConfig()))
                options.AddDocument(name, title, url);
        });
        if (app.Environment.IsDevelopment())
            docs.AllowAnonymous();
        return app;
    }

    /// <summary>The documents the gateway serves: one per route carrying <see cref="DocumentMetadata"/>, in route order.</summary>
    public static IEnumerable<(string Name, string Title, string Url)> Documents(IProxyConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        foreach (var route in config.Routes)
            if (route.Metadata?.TryGetValue(DocumentMetadata, out var title) == true && route.Match.Path is { } url)
                yield return (route.ClusterId ?? route.RouteId, title, url);
    }
}
