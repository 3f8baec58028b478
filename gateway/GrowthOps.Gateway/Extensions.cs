using System.Globalization;
using System.Threading.RateLimiting;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Requests;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Transforms;

namespace GrowthOps.Gateway;

/// <summary>
/// The gateway's wiring. Routes, clusters and each route's authorization and rate-limit policy are configuration
/// (<c>ReverseProxy</c> in appsettings.json); what lives here is what configuration cannot express: how a request is
/// partitioned for rate limiting, how a rejection is answered, and the per-route body limit.
/// </summary>
public static class Extensions
{
    /// <summary>Rate-limit policy for authenticated routes: one token bucket per <c>tenant_id</c>.</summary>
    public const string PerTenantPolicy = "per-tenant";

    /// <summary>Rate-limit policy for anonymous routes (webhooks, tracking): one token bucket per client IP.</summary>
    public const string PerIpPolicy = "per-ip";

    /// <summary>Route metadata key that overrides <c>Http:MaxRequestBodyBytes</c> for one route.</summary>
    public const string MaxRequestBodyBytesMetadata = "MaxRequestBodyBytes";

    public const string ReverseProxySection = "ReverseProxy";

    /// <summary>
    /// Services take the tenant from the verified token (or, for webhooks, from the provider's signed payload), never
    /// from a header a caller can set; dropping it here keeps any code from ever being tempted to trust it.
    /// </summary>
    const string TenantHeader = "X-Tenant-Id";

    public static IHostApplicationBuilder AddGateway(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<RateLimitingOptions>().BindConfiguration(RateLimitingOptions.Section)
            .Validate(o => o.PerTenant.IsValid && o.PerIp.IsValid,
                "RateLimiting: PermitsPerPeriod and Burst must be positive and Period longer than zero.")
            .ValidateOnStart();

        builder.Services.AddRateLimiter(options =>
        {
            options.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            options.OnRejected = WriteRateLimitProblemAsync;
            options.AddPolicy(PerTenantPolicy, PartitionByTenant);
            options.AddPolicy(PerIpPolicy, PartitionByIp);
        });

        builder.Services.AddReverseProxy()
            .LoadFromConfig(builder.Configuration.GetSection(ReverseProxySection))
            .AddTransforms(context => context.AddRequestHeaderRemove(TenantHeader));

        return builder;
    }

    /// <summary>After <c>UseServiceDefaults</c>: rate limits see the authenticated tenant, and only authorized requests spend tokens.</summary>
    public static WebApplication UseGateway(this WebApplication app)
    {
        app.UseRateLimiter();
        return app;
    }

    public static WebApplication MapGateway(this WebApplication app)
    {
        app.MapReverseProxy().ConfigureEndpoints((endpoint, route) =>
        {
            // Bodies stream through to the services, which check their text themselves; buffering them here would only cost.
            endpoint.WithMetadata(new UncheckedBodyAttribute());
            // Routing copies IRequestSizeLimitMetadata into the server's IHttpMaxRequestBodySizeFeature before the body is read.
            if (ReadMaxRequestBodyBytes(route) is { } limit)
                endpoint.WithMetadata(new RequestSizeLimitAttribute(limit));
        });
        return app;
    }

    static long? ReadMaxRequestBodyBytes(RouteConfig route)
    {
        if (route.Metadata?.TryGetValue(MaxRequestBodyBytesMetadata, out var value) != true)
            return null;
        if (long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var bytes) && bytes > 0)
            return bytes;
        throw new InvalidOperationException(
            $"Route '{route.RouteId}': metadata {MaxRequestBodyBytesMetadata} must be a positive number of bytes, not '{value}'.");
    }

    static RateLimitPartition<string> PartitionByTenant(HttpContext context)
    {
        var tenantClaim = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.TenantClaim;
        // Authorization has already required the claim on these routes; a route misconfigured as anonymous still gets the per-IP bucket.
        if (context.User.FindFirst(tenantClaim)?.Value is not { Length: > 0 } tenant)
            return PartitionByIp(context);

        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PerTenant;
        return RateLimitPartition.GetTokenBucketLimiter($"tenant:{tenant}", _ => limits.ToLimiterOptions());
    }

    /// <summary>
    /// Partitioned by the connection's address: behind a load balancer, configure forwarded headers so that this is the
    /// client's address rather than the balancer's.
    /// </summary>
    static RateLimitPartition<string> PartitionByIp(HttpContext context)
    {
        var limits = context.RequestServices.GetRequiredService<IOptions<RateLimitingOptions>>().Value.PerIp;
        var address = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
        return RateLimitPartition.GetTokenBucketLimiter($"ip:{address}", _ => limits.ToLimiterOptions());
    }

    static async ValueTask WriteRateLimitProblemAsync(OnRejectedContext rejected, CancellationToken cancellationToken)
    {
        var retryAfter = rejected.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        var seconds = (long)Math.Max(1, Math.Ceiling(retryAfter.TotalSeconds));

        var context = rejected.HttpContext;
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        await WriteProblemAsync(context, "Too many requests",
            $"The rate limit for this caller was exceeded. Retry after {seconds.ToString(CultureInfo.InvariantCulture)} seconds.");
    }

    static async Task WriteProblemAsync(HttpContext context, string title, string detail) =>
        await context.RequestServices.GetRequiredService<IProblemDetailsService>().TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = new ProblemDetails { Status = context.Response.StatusCode, Title = title, Detail = detail },
        });
}
