using System.Text.Json;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations;
using GrowthOps.Email.Integrations.Postmark;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Secrets;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Refit;

namespace GrowthOps.Email.Apis;

/// <summary>
/// The way out for each tenant's email (its own Postmark server or SMTP relay, else the platform default), the Postmark
/// client and provider, and the resolver the sending pipeline asks once per batch.
/// </summary>
public static class ProvidersApi
{
    const int MaxSecret = 512;
    const int MaxName = 253;

    public static IHostApplicationBuilder AddProviders(this IHostApplicationBuilder builder)
    {
        builder.Services.AddTenantSecretBox<ProvidersOptions>($"{ProvidersOptions.Section}:SecretsKey", o => o.SecretsKey)
            .BindConfiguration(ProvidersOptions.Section).ValidateDataAnnotations()
            .Validate<IHostEnvironment>((o, env) => !env.IsProduction() || o.SecretsKey != ProvidersOptions.DevelopmentSecretsKey,
                $"{ProvidersOptions.Section}:SecretsKey must be set in Production (the built-in key is for development).")
            .ValidateOnStart();
        builder.Services.AddOptions<PostmarkOptions>().BindConfiguration(PostmarkOptions.Section).ValidateDataAnnotations()
            .Validate<IOptions<ProvidersOptions>>((o, providers) => providers.Value.Default != PostmarkProvider.ProviderName || !string.IsNullOrWhiteSpace(o.ServerToken),
                $"{PostmarkOptions.Section}:ServerToken is required when Postmark is the default provider.")
            .ValidateOnStart();
        builder.Services.AddScoped<ProvidersStore>();
        // Its ISmtpProviderFactory comes with the SMTP provider (Integrations/Smtp), registered by the sending pipeline.
        builder.Services.AddSingleton<ProviderResolver>();
        builder.Services.AddSingleton<IEmailProviderResolver>(sp => sp.GetRequiredService<ProviderResolver>());

        // Postmark's names as they are (PascalCase, not the API's snake_case); absent fields left out rather than null. The
        // relaxed encoder writes HTML's <, > and & as they are instead of \u003C…: the body is JSON to Postmark, never
        // embedded in a page, and a newsletter's JSON is a third smaller and faster to write.
        var json = new JsonSerializerOptions(JsonSerializerDefaults.General)
        {
            PropertyNamingPolicy = null,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull,
        };
        // Not the standard handler every client gets as it is: it retries a POST that timed out or failed with a 5xx, and a
        // batch Postmark accepted but answered late would go out twice. The pipeline retries what the provider calls
        // transient, after its own backoff; here only the timeout and the circuit breaker stay. RemoveAllResilienceHandlers
        // is the supported way to drop the default handler, still marked experimental.
#pragma warning disable EXTEXP0001
        builder.Services.AddRefitGeneratedClient<IPostmarkApi>(new RefitSettings(new SystemTextJsonContentSerializer(json)))
            .ConfigureHttpClient((sp, client) => client.BaseAddress = new Uri(sp.GetRequiredService<IOptions<PostmarkOptions>>().Value.BaseUrl))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddStandardResilienceHandler()
            .Configure((HttpStandardResilienceOptions o, IServiceProvider sp) =>
            {
                var timeout = sp.GetRequiredService<IOptions<PostmarkOptions>>().Value.Timeout;
                o.Retry.MaxRetryAttempts = 1;
                o.Retry.ShouldHandle = _ => ValueTask.FromResult(false);
                o.AttemptTimeout.Timeout = timeout;
                o.TotalRequestTimeout.Timeout = timeout + TimeSpan.FromSeconds(1);
                o.CircuitBreaker.SamplingDuration = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(30).Ticks, 2 * timeout.Ticks + TimeSpan.TicksPerSecond));
            });
        return builder;
    }

    public static RouteGroupBuilder MapProvidersApi(this RouteGroupBuilder api)
    {
        var providers = api.MapGroup("/providers").WithTags("Providers");
        providers.MapGet("/", Get);
        providers.MapPut("/", Put);
        providers.MapDelete("/", Delete);
        return api;
    }

    static async Task<Ok<EmailProviderSettings>> Get(UnitOfWork unitOfWork, ProvidersStore store, IOptions<ProvidersOptions> options,
        IOptions<PostmarkOptions> postmark, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.GetAsync(ct), ct) is { } row
            ? Settings(row)
            : Platform(options.Value, postmark.Value));

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A setting is missing or invalid (errors says which).")]
    static async Task<Ok<EmailProviderSettings>> Put(EmailProviderRequest request, CurrentTenant tenant, UnitOfWork unitOfWork, ProvidersStore store,
        TenantSecretBox secrets, ProviderResolver resolver, CancellationToken ct)
    {
        var tenantId = tenant.Required;
        var saved = await unitOfWork.InTransactionAsync(async () =>
        {
            var current = await store.GetAsync(ct);
            var row = Validate(request, current, tenantId, secrets);
            return await store.SaveAsync(row, ct);
        }, ct);
        resolver.Forget(tenantId);
        return TypedResults.Ok(Settings(saved));
    }

    /// <summary>Back to the platform default; deleting settings the tenant does not have is no error.</summary>
    static async Task<NoContent> Delete(CurrentTenant tenant, UnitOfWork unitOfWork, ProvidersStore store, ProviderResolver resolver, CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(() => store.DeleteAsync(ct), ct);
        resolver.Forget(tenant.Required);
        return TypedResults.NoContent();
    }

    /// <summary>The row to store, secrets sealed; refuses (422, every problem at once) what could not send.</summary>
    static ProviderRow Validate(EmailProviderRequest request, ProviderRow? current, Guid tenantId, TenantSecretBox secrets)
    {
        var errors = new Dictionary<string, string[]>();
        var kind = request.Kind?.Trim().ToLowerInvariant();
        if (kind is not ("postmark" or "smtp"))
            errors["kind"] = ["must be postmark or smtp"];

        string? fromDefault = null;
        if (!string.IsNullOrWhiteSpace(request.FromDefault))
        {
            if (EmailAddress.TryParse(request.FromDefault.Trim(), out var from, out var problem))
                fromDefault = from.ToString();
            else
                errors["from_default"] = [problem];
        }

        var keep = current is not null && current.Kind == kind;
        ProviderRow? row = null;
        if (kind == "postmark")
        {
            byte[]? token = null;
            if (request.ServerToken is { } t)
            {
                if (!IsSecret(t))
                    errors["server_token"] = [$"must be 1 to {MaxSecret} characters without spaces"];
                else
                    token = secrets.Seal(t.Trim(), tenantId);
            }
            else if (keep && current!.ServerToken is { } stored)
                token = stored;
            else
                errors["server_token"] = ["is required for postmark (the server's API token)"];

            var messageStream = Stream(request.MessageStream, "message_stream", errors);
            var broadcastStream = Stream(request.BroadcastStream, "broadcast_stream", errors);
            if (errors.Count == 0)
                row = new ProviderRow("postmark", messageStream, broadcastStream, token, null, null, null, null, false, fromDefault, default);
        }
        else if (kind == "smtp")
        {
            var host = request.Host?.Trim();
            if (string.IsNullOrEmpty(host) || host.Length > MaxName || Uri.CheckHostName(host) == UriHostNameType.Unknown)
                errors["host"] = ["is required for smtp: a host name or IP address"];
            if (request.Port is not (>= 1 and <= 65535))
                errors["port"] = ["is required for smtp: 1 to 65535"];
            var username = string.IsNullOrWhiteSpace(request.Username) ? null : request.Username.Trim();
            if (username is { Length: > MaxName })
                errors["username"] = [$"must be at most {MaxName} characters"];

            byte[]? password = null;
            if (request.Password is { Length: > 0 } p)
            {
                if (p.Length > MaxSecret)
                    errors["password"] = [$"must be at most {MaxSecret} characters"];
                else
                    password = secrets.Seal(p, tenantId);
            }
            else if (request.Password is null && keep)
                password = current!.Password;

            if (errors.Count == 0)
                row = new ProviderRow("smtp", null, null, null, host, request.Port, username, password, request.UseTls ?? false, fromDefault, default);
        }

        return row ?? throw new RuleRefusedException("The provider settings are incomplete or invalid.",
            new Dictionary<string, object?> { ["errors"] = errors });
    }

    static bool IsSecret(string value) =>
        value.Trim() is { Length: > 0 and <= MaxSecret } trimmed && !trimmed.Any(c => char.IsWhiteSpace(c) || char.IsControl(c));

    /// <summary>A Postmark stream id (lower-case letters, digits, '-' and '_', as Postmark makes them), or null for the platform's.</summary>
    static string? Stream(string? value, string field, Dictionary<string, string[]> errors)
    {
        if (string.IsNullOrWhiteSpace(value))
            return null;
        var stream = value.Trim();
        if (stream.Length > 100 || !stream.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            errors[field] = ["must be a Postmark stream id: up to 100 letters, digits, '-' and '_'"];
        return stream;
    }

    static EmailProviderSettings Settings(ProviderRow row) => new("tenant", row.Kind, row.MessageStream, row.BroadcastStream, row.Host, row.Port,
        row.Username, row.UseTls, row.FromDefault, row.ServerToken is not null, row.Password is not null, row.UpdatedAt);

    /// <summary>The platform's default as a tenant may see it: the kind and Postmark's streams, never the platform's relay or token.</summary>
    static EmailProviderSettings Platform(ProvidersOptions options, PostmarkOptions postmark) =>
        options.Default == PostmarkProvider.ProviderName
            ? new("platform", "postmark", postmark.MessageStream, postmark.BroadcastStream, null, null, null, false, null, false, false, null)
            : new("platform", "smtp", null, null, null, null, null, false, null, false, false, null);
}
