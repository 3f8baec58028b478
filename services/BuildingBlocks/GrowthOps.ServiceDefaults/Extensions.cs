using System.Security.Claims;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Query;
using GrowthOps.ServiceDefaults.Requests;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace GrowthOps.ServiceDefaults;

/// <summary>
/// What every GrowthOps HTTP host gets: OpenTelemetry, health endpoints, RFC 7807 errors, snake_case JSON, request size
/// limits, JWT bearer authentication with the tenant claim, resilient HttpClients and its OpenAPI document.
/// </summary>
public static class Extensions
{
    /// <summary>Health checks with this tag gate <c>/health/ready</c>.</summary>
    public const string ReadyTag = "ready";

    /// <summary>YARP's reserved route policy name for "allow anonymous" (webhooks, tracking); not a registered policy.</summary>
    public const string AnonymousPolicy = "anonymous";

    /// <summary>Activity sources and meters of GrowthOps' own code start with this prefix.</summary>
    public const string TelemetryPrefix = "GrowthOps";

    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder, string serviceName)
        where TBuilder : IHostApplicationBuilder
    {
        builder.ConfigureOpenTelemetry(serviceName);
        builder.Services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), ["live"]);
        builder.Services.ConfigureHttpClientDefaults(http => http.AddStandardResilienceHandler());
        builder.AddHttpDefaults();
        builder.AddDefaultAuthentication();
        builder.AddOpenApiDefaults(serviceName);
        return builder;
    }

    static void ConfigureOpenTelemetry(this IHostApplicationBuilder builder, string serviceName)
    {
        // Telemetry is collected only when a collector is configured: spans, log records and metric points that no exporter
        // takes are pure cost (a fifth of the Leads throughput in `./growthops bench leads`). W3C trace context still flows
        // without it: ASP.NET Core and HttpClient propagate traceparent on their own.
        if (string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]))
            return;

        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });

        var otel = builder.Services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(builder.Configuration["OTEL_SERVICE_NAME"] ?? $"growthops-{serviceName}"))
            .WithMetrics(metrics => metrics
                .AddAspNetCoreInstrumentation()
                .AddMeter("System.Net.Http", "System.Runtime", "MassTransit", "Npgsql", $"{TelemetryPrefix}.*"))
            .WithTracing(tracing => tracing
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !context.Request.Path.StartsWithSegments("/health"))
                .AddSource("System.Net.Http", "MassTransit", $"{TelemetryPrefix}.*")
                .AddSource("Npgsql"));

        otel.UseOtlpExporter();
    }

    static void AddHttpDefaults(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<HttpLimitsOptions>().BindConfiguration(HttpLimitsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<HttpLimitsOptions>>((kestrel, options) =>
        {
            var limits = options.Value;
            kestrel.Limits.MaxRequestBodySize = limits.MaxRequestBodyBytes;
            // Kestrel answers a request over its own limits with a bare status and no way to add a body; above ours, so that
            // RequestChecks answers with a problem.
            kestrel.Limits.MaxRequestLineSize = limits.KestrelRequestLineBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = limits.KestrelRequestHeadersBytes;
            kestrel.Limits.MaxRequestHeaderCount = limits.KestrelRequestHeaderCount;
            // Every byte decodes, so that RequestChecks names a header outside ASCII in a 400 problem; as UTF-8, an invalid
            // sequence was Kestrel's bare 400. Nothing outside ASCII gets past the check, so no accepted value reads differently.
            kestrel.RequestHeaderEncodingSelector = _ => Encoding.Latin1;
        });

        // First, so that it writes every problem (the framework's writer, added next, declines unless the client accepts JSON).
        builder.Services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        builder.Services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            // As sent: a refused path trick names the path the client wrote, not the one the server resolved it to.
            context.ProblemDetails.Instance ??= RequestTarget.PathOf(RequestTarget.AsSent(context.HttpContext)).ToString();
            context.ProblemDetails.Extensions.TryAdd("trace_id", System.Diagnostics.Activity.Current?.TraceId.ToString() ?? context.HttpContext.TraceIdentifier);
        });
        builder.Services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        // Binding failures throw BadHttpRequestException so the exception handler answers them as problems (never an empty 400 or a 500).
        builder.Services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);
        builder.Services.ConfigureHttpJsonOptions(o => ConfigureJson(o.SerializerOptions));
    }

    /// <summary>snake_case names and enums, as in the seeds' examples; numbers are JSON numbers, never strings.</summary>
    public static void ConfigureJson(JsonSerializerOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        // The web defaults also read numbers from strings, which the OpenAPI document would then have to describe as
        // "integer or string": one wire format, documented as it is.
        options.NumberHandling = JsonNumberHandling.Strict;
        options.PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower;
        options.DictionaryKeyPolicy = null;
        options.DefaultIgnoreCondition = JsonIgnoreCondition.Never;
        options.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower));
    }

    static void AddDefaultAuthentication(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AuthOptions>().BindConfiguration(AuthOptions.Section)
            .Validate(o => !string.IsNullOrWhiteSpace(o.Authority) || o.SigningKey is { Length: >= 32 },
                "Set Auth:Authority (OIDC) or Auth:SigningKey (at least 32 characters, development only).")
            .ValidateOnStart();

        builder.Services.AddAuthentication(JwtBearerDefaults.AuthenticationScheme).AddJwtBearer();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<AuthOptions>>((jwt, authOptions) =>
            {
                var auth = authOptions.Value;
                jwt.MapInboundClaims = false;
                jwt.TokenValidationParameters.NameClaimType = "sub";
                jwt.TokenValidationParameters.ValidAudience = auth.Audience;
                if (!string.IsNullOrWhiteSpace(auth.Authority))
                {
                    jwt.Authority = auth.Authority;
                    jwt.Audience = auth.Audience;
                    jwt.RequireHttpsMetadata = auth.RequireHttpsMetadata;
                }
                else
                {
                    jwt.TokenValidationParameters.ValidIssuer = auth.Issuer;
                    jwt.TokenValidationParameters.IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(auth.SigningKey!));
                }
            });

        builder.Services.AddScoped<CurrentTenant>();
        builder.Services.AddScopeAuthorization();
        // Fallback and default are the same: an endpoint (or gateway route) asking for plain authorization still needs a tenant.
        var tenantPolicy = new AuthorizationPolicyBuilder()
            .RequireAuthenticatedUser()
            .RequireAssertion(context => TryGetTenant(context.User, context.Resource, out _))
            .Build();
        builder.Services.AddAuthorizationBuilder().SetFallbackPolicy(tenantPolicy).SetDefaultPolicy(tenantPolicy);
    }

    static bool TryGetTenant(ClaimsPrincipal user, object? resource, out Guid tenantId)
    {
        var claim = resource is HttpContext http ? http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.TenantClaim : "tenant_id";
        return Guid.TryParse(user.FindFirst(claim)?.Value, out tenantId) && tenantId != Guid.Empty;
    }

    /// <summary>
    /// The middleware every service runs, in order: problem details for exceptions and empty error responses; the request's
    /// shape (target, headers, declared body size) and an unsupported method, before authentication; authentication, the
    /// tenant from the token, authorization; the query string held to what the endpoint declares (<see cref="QueryParameters"/>);
    /// the text of a JSON body; then the health endpoints and the OpenAPI document.
    /// </summary>
    public static WebApplication UseServiceDefaults(this WebApplication app)
    {
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.Use(RequestChecks.CheckTargetAndHeaders);
        app.Use(RequestChecks.RefuseOversizeBody);
        app.Use(RequestChecks.AnswerMethodNotAllowed);
        app.UseAuthentication();
        app.Use(static (context, next) =>
        {
            var claim = context.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.TenantClaim;
            if (context.User.Identity?.IsAuthenticated == true && Guid.TryParse(context.User.FindFirst(claim)?.Value, out var tenantId) &&
                tenantId != Guid.Empty)
                context.RequestServices.GetRequiredService<CurrentTenant>().Set(tenantId);
            return next(context);
        });
        app.UseAuthorization();
        app.UseMiddleware<QueryParameterCheck>();
        app.Use(RequestChecks.CheckJsonBody);
        app.MapDefaultEndpoints();
        app.MapOpenApiDocument();
        return app;
    }

    public static IEndpointRouteBuilder MapDefaultEndpoints(this IEndpointRouteBuilder app)
    {
        // For orchestrators, not API clients: outside the OpenAPI document.
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = c => c.Tags.Contains("live"), ResponseWriter = WriteHealth })
            .AllowAnonymous().ExcludeFromDescription();
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteHealth })
            .AllowAnonymous().ExcludeFromDescription();
        return app;
    }

    static Task WriteHealth(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsJsonAsync(new
        {
            status = report.Status.ToString(),
            duration_ms = report.TotalDuration.TotalMilliseconds,
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                error = e.Value.Exception?.Message,
                // The names of what is unhappy (a degraded bus names its endpoints).
                data = e.Value.Data.Count > 0 ? e.Value.Data : null,
            }),
        });
    }
}
