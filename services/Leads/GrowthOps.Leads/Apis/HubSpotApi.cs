using System.Globalization;
using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Integrations;
using GrowthOps.Leads.Integrations.HubSpot;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Query;
using GrowthOps.ServiceDefaults.Secrets;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.OpenApi;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// HubSpot: the tenant's integration settings (client secret, portals) and the anonymous webhook HubSpot calls, verified by
/// its signature (arteries seed, "Artery #1": deal stage changes → <c>DealStageChanged</c>).
/// </summary>
public static class HubSpotApi
{
    public const int MaxPortals = 100;

    public const int MaxClientSecret = 512;

    public const int MaxAppId = 64;

    public static IHostApplicationBuilder AddHubSpot(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddScoped<HubSpotStore>();
        builder.Services.AddScoped<HubSpotEventProcessor>();
        return builder;
    }

    /// <summary>The tenant's integration settings, under the service's group; the webhook is mapped by <see cref="MapHubSpotWebhooks"/>.</summary>
    public static RouteGroupBuilder MapHubSpotApi(this RouteGroupBuilder api)
    {
        var integration = api.MapGroup("/integrations/hubspot").WithTags("HubSpot");
        integration.MapGet("/", GetIntegration);
        integration.MapPut("/", PutIntegration);
        integration.MapDelete("/", DeleteIntegration);
        return api;
    }

    /// <summary>The webhook at HubSpot's target URL and at the seeds' compatibility route; the gateway forwards both anonymously.</summary>
    public static IEndpointRouteBuilder MapHubSpotWebhooks(this IEndpointRouteBuilder app)
    {
        app.MapPost("/webhooks/hubspot", ReceiveWebhook).AllowAnonymous().AllowAnyQueryParameters().WithTags("HubSpot")
            .AddOpenApiOperationTransformer(DescribeDelivery);
        app.MapPost("/api/webhook/hubspot", ReceiveWebhook).AllowAnonymous().AllowAnyQueryParameters().WithTags("HubSpot")
            .AddOpenApiOperationTransformer(DescribeDelivery);
        return app;
    }

    /// <summary>A delivery is an array of events (HubSpot's format) or one event object (the seeds' example).</summary>
    static Task DescribeDelivery(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken ct)
    {
        var @event = new OpenApiSchemaReference(nameof(HubSpotWebhookEvent), context.Document);
        foreach (var media in operation.RequestBody?.Content?.Values ?? [])
            media.Schema = new OpenApiSchema { OneOf = [new OpenApiSchema { Type = JsonSchemaType.Array, Items = @event, MaxItems = HubSpotEvent.MaxBatch }, @event] };
        return Task.CompletedTask;
    }

    public sealed record IntegrationDto(long[] PortalIds, string? AppId, bool HasClientSecret, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public static IntegrationDto From(HubSpotStore.Integration i) =>
            new(i.PortalIds, i.AppId, i.ClientSecretEncrypted.Length > 0, i.Created, i.Updated);
    }

    public static async Task<Results<Ok<IntegrationDto>, NotFound>> GetIntegration(LeadsTransaction tx, HubSpotStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.GetIntegrationAsync(ct), ct) is { } integration ? TypedResults.Ok(IntegrationDto.From(integration)) : TypedResults.NotFound();

    /// <summary>
    /// Creates or replaces the settings. <c>client_secret</c> is required the first time and write-only: omitted later, the stored
    /// one is kept. <c>portal_ids</c> become exactly the tenant's portals; one held by another tenant is a conflict and nothing changes.
    /// </summary>
    [Consumes(typeof(HubSpotIntegrationRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status409Conflict, "A portal is connected to another tenant (portal_ids lists them); nothing changed.")]
    public static async Task<Results<Ok<IntegrationDto>, ValidationProblem>> PutIntegration(JsonElement body, LeadsTransaction tx, HubSpotStore store,
        TenantSecretBox protector, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (secret, portalIds, appId) = ParseSettings(body, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var saved = await tx.RunAsync(async () =>
        {
            var existing = await store.GetIntegrationAsync(ct);
            if (existing is null && secret is null)
                return null;
            await store.SaveIntegrationAsync(secret is null ? null : protector.Seal(secret, tx.UnitOfWork.TenantId!.Value), appId, ct);
            if (await store.ClaimPortalsAsync(portalIds, ct) is { Length: > 0 } taken)
                throw new ConflictException(
                    $"HubSpot portal {string.Join(", ", taken)} is connected to another tenant.", new Dictionary<string, object?> { ["portal_ids"] = taken });
            return await store.GetIntegrationAsync(ct);
        }, ct);
        return saved is null
            ? TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["client_secret"] = ["is required to connect HubSpot"] })
            : TypedResults.Ok(IntegrationDto.From(saved));
    }

    public static async Task<Results<NoContent, NotFound>> DeleteIntegration(LeadsTransaction tx, HubSpotStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteIntegrationAsync(ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    static (string? Secret, long[] PortalIds, string? AppId) ParseSettings(JsonElement body, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return (null, [], null);
        }

        if (!RequestLimits.Check<HubSpotIntegrationRequest>(body, errors))
            return (null, [], null);

        string? secret = null;
        if (body.TryGetProperty("client_secret", out var s) && s.ValueKind != JsonValueKind.Null)
        {
            secret = s.ValueKind == JsonValueKind.String ? s.GetString()!.Trim() : null;
            if (secret is not { Length: > 0 })
                errors["client_secret"] = [$"must be a non-empty string of at most {MaxClientSecret} characters"];
        }

        var portals = new List<long>();
        if (!body.TryGetProperty("portal_ids", out var p) || p.ValueKind != JsonValueKind.Array)
            errors["portal_ids"] = ["is required: an array of HubSpot portal (hub) ids"];
        else if (p.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.Number || !id.TryGetInt64(out var v) || v <= 0))
            errors["portal_ids"] = ["must hold positive integers"];
        else
            portals.AddRange(p.EnumerateArray().Select(id => id.GetInt64()).Distinct().Order());
        if (!errors.ContainsKey("portal_ids") && portals.Count is 0 or > MaxPortals)
            errors["portal_ids"] = [$"must hold between 1 and {MaxPortals} portal ids"];

        string? appId = null;
        if (body.TryGetProperty("app_id", out var a))
        {
            // A string, as the document says (HubSpot shows its app ids as digits: send "123456"); a number is refused rather than
            // guessed at (1e309 and 4.2 are no app id either).
            appId = a.ValueKind == JsonValueKind.String && a.GetString()!.Trim() is { Length: > 0 } text ? text : null;
            if (a.ValueKind is not (JsonValueKind.String or JsonValueKind.Null) || appId is { Length: > MaxAppId })
                errors["app_id"] = [$"must be a string of at most {MaxAppId} characters"];
        }

        return (secret, portals.ToArray(), appId);
    }

    /// <summary>
    /// HubSpot's webhook, checked before it is believed: a request without well-formed signature headers (or with a v3 timestamp
    /// more than five minutes off) is a 401 before its body is read; then only the first event's <c>portalId</c> is read from the
    /// raw bytes, to find the tenant (400 when there is none, 404 for a portal no tenant has connected); the signature is verified
    /// over the bytes exactly as received with that tenant's client secret (401); and only then is the delivery parsed (400 when
    /// malformed) and processed in one tenant transaction. Answers 200 with a summary, duplicates included (HubSpot stops
    /// retrying on 2xx). The URL HubSpot calls may carry the tenant's own query string: any is accepted (the signature covers it).
    /// </summary>
    [Consumes(typeof(HubSpotWebhookEvent[]), "application/json")]
    [ProducesProblem(StatusCodes.Status400BadRequest, "The delivery names no portal, or (once its signature holds) is malformed.")]
    [ProducesProblem(StatusCodes.Status401Unauthorized, "The signature is missing or wrong, or a v3 timestamp is more than five minutes off.")]
    [ProducesProblem(StatusCodes.Status404NotFound, "No tenant has connected the portal.")]
    public static async Task<Results<Ok<HubSpotEventProcessor.Summary>, ProblemHttpResult>> ReceiveWebhook(HttpContext http, HubSpotStore store, CurrentTenant tenant,
        LeadsTransaction tx, TenantSecretBox protector, HubSpotEventProcessor processor, TimeProvider clock, ILoggerFactory loggers,
        CancellationToken ct)
    {
        var request = http.Request;
        var logger = loggers.CreateLogger(typeof(HubSpotApi));
        var now = clock.GetUtcNow();
        var headers = new HubSpotSignature.Headers(Header(request, HubSpotSignature.V3Header), Header(request, HubSpotSignature.TimestampHeader),
            Header(request, HubSpotSignature.SignatureHeader), Header(request, HubSpotSignature.VersionHeader));
        if (HubSpotSignature.CheckHeaders(headers, now) is { } unsigned)
            return Unauthorized(logger, null, unsigned);

        using var buffer = new MemoryStream();
        await request.Body.CopyToAsync(buffer, ct);
        var body = buffer.ToArray();
        if (HubSpotEvent.ReadPortalId(body) is not { } portalId)
            return Malformed("The delivery names no portal (portalId of its first event), so its signature cannot be checked.");
        var tenantId = await store.FindTenantAsync(portalId, ct)
                       ?? throw new NotFoundException($"HubSpot portal {portalId} is not connected to GrowthOps.");

        // HubSpot sends no token; should a caller send one anyway, it must not point this delivery at another tenant.
        if (tenant.Id is { } caller && caller != tenantId)
            throw new NotFoundException($"HubSpot portal {portalId} is not connected to GrowthOps.");
        tenant.Set(tenantId);
        return await tx.RunAsync<Results<Ok<HubSpotEventProcessor.Summary>, ProblemHttpResult>>(async () =>
        {
            var encrypted = await store.GetClientSecretAsync(ct)
                            ?? throw new NotFoundException($"HubSpot portal {portalId} is not connected to GrowthOps.");
            if (HubSpotSignature.Verify(protector.Open(encrypted, tenantId), request.Method, PublicUri(http), body, headers, now) is { } refused)
                return Unauthorized(logger, portalId, refused);
            if (HubSpotEvent.ParseBatch(body, now, out var error) is not { } events)
                return Malformed(error);
            if (events[0].PortalId != portalId)
                return Malformed("The first event names its portal in a way that does not read the same twice.");
            return TypedResults.Ok(await processor.ProcessAsync(events, ct));
        }, ct);
    }

    static ProblemHttpResult Malformed(string? detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Malformed HubSpot webhook");

    static ProblemHttpResult Unauthorized(ILogger logger, long? portalId, string reason)
    {
        logger.LogWarning("Refused a HubSpot webhook for portal {PortalId}: {Reason}", portalId, reason);
        return TypedResults.Problem(reason, statusCode: StatusCodes.Status401Unauthorized, title: "Invalid HubSpot signature");
    }

    static string? Header(HttpRequest request, string name) => request.Headers.TryGetValue(name, out var values) ? values.ToString() : null;

    /// <summary>
    /// The URL HubSpot called, which is what it signs (v2, v3). Behind the gateway (or any proxy) this service sees its own
    /// address, so the public scheme, host and path base come from <c>X-Forwarded-Proto</c>, <c>X-Forwarded-Host</c> and
    /// <c>X-Forwarded-Prefix</c> when present (YARP sets them by default; the first value is the client-most hop), else from
    /// the request itself. Path and query are the request target as received. Trusting these headers is safe here: they
    /// only choose the string to check, and a signature over it still needs the tenant's client secret.
    /// </summary>
    public static string PublicUri(HttpContext http)
    {
        var request = http.Request;
        static string? First(string? value) => value?.Split(',')[0].Trim() is { Length: > 0 } first ? first : null;
        var scheme = First(Header(request, "X-Forwarded-Proto")) ?? request.Scheme;
        var host = First(Header(request, "X-Forwarded-Host")) ?? request.Host.Value;
        var prefix = First(Header(request, "X-Forwarded-Prefix"))?.TrimEnd('/') ?? "";
        var target = http.Features.Get<IHttpRequestFeature>()?.RawTarget is { Length: > 0 } raw && raw.StartsWith('/')
            ? raw
            : request.PathBase.ToUriComponent() + request.Path.ToUriComponent() + request.QueryString.ToUriComponent();
        return string.Create(CultureInfo.InvariantCulture, $"{scheme}://{host}{prefix}{target}");
    }
}
