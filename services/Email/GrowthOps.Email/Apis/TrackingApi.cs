using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Domain.Tracking;
using GrowthOps.Email.Integrations.Postmark;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Open and click tracking (the decorator that adds them to every email, the anonymous pixel and redirect under
/// <c>/t/</c>), Postmark's webhooks and inbound replies under <c>/webhooks/postmark/{tenant}</c> (anonymous, HTTP basic
/// auth per tenant), and the API that sets those credentials.
/// </summary>
public static class TrackingApi
{
    /// <summary>A 1×1 transparent GIF89a, 43 bytes.</summary>
    static readonly byte[] Pixel = Convert.FromHexString("47494638396101000100800000000000FFFFFF21F90401000000002C00000000010001000002024401003B");

    const int MaxUserAgent = 512;

    /// <summary>Registers the tracking decorator: its AddEmail line comes after the unsubscribe decorator's, so it runs after it.</summary>
    public static IHostApplicationBuilder AddTracking(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TrackingOptions>().BindConfiguration(TrackingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<TrackingToken>();
        builder.Services.AddSingleton<IEmailDecorator, TrackingDecorator>();
        builder.Services.AddScoped<EmailEventsStore>();
        builder.Services.AddScoped<PostmarkWebhookStore>();
        builder.Services.AddScoped<EmailEventRecorder>();
        builder.Services.AddScoped<PostmarkWebhookProcessor>();
        builder.Services.AddScoped<InboundReplyProcessor>();
        return builder;
    }

    /// <summary>
    /// The credentials API under the service's group, and the anonymous routes at the paths the gateway forwards as they are
    /// (<c>/t/{**}</c>, <c>/webhooks/postmark/{**}</c>): those paths are in every email sent and in Postmark's settings.
    /// </summary>
    public static WebApplication MapTrackingApi(this WebApplication app, RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/webhooks/postmark").WithTags("Postmark webhooks");
        settings.MapGet("/", GetPostmarkWebhook);
        settings.MapPut("/", PutPostmarkWebhook);

        var tracking = app.MapGroup("/t").WithTags("Tracking").AllowAnonymous();
        // {file} is "<token>.gif": a route parameter of its own, as OpenAPI path templates have no parameter-and-suffix segments.
        tracking.MapMethods("/o/{file}", [HttpMethods.Get, HttpMethods.Head], Open)
            .Produces(StatusCodes.Status200OK, typeof(byte[]), "image/gif");
        tracking.MapMethods("/c/{token}", [HttpMethods.Get, HttpMethods.Head], Click)
            .Produces(StatusCodes.Status302Found);

        var webhooks = app.MapGroup("/webhooks/postmark").WithTags("Postmark webhooks").AllowAnonymous();
        webhooks.MapPost("/{tenantId:guid}", ReceiveWebhook);
        webhooks.MapPost("/{tenantId:guid}/inbound", ReceiveInbound);
        return app;
    }

    /// <summary>
    /// The open pixel: always the GIF (a broken image in someone's mail helps nobody), never cached, so that every open asks
    /// again. A valid token records the open (a bot's flagged as such, see <see cref="BotRules"/>); a tampered one records nothing.
    /// </summary>
    static async Task<FileContentHttpResult> Open([Description("<token>.gif")] string file, HttpContext http, TrackingToken tokens, CurrentTenant tenant,
        UnitOfWork unitOfWork, EmailEventsStore events, EmailEventRecorder recorder, IOptions<TrackingOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        NoCache(http.Response);
        if (file.EndsWith(".gif", StringComparison.Ordinal) && tokens.Verify(TrackingToken.Open, file[..^4]) is { } verified
            && Enter(tenant, verified.TenantId))
        {
            var now = clock.GetUtcNow();
            var userAgent = UserAgent(http);
            var rule = BotRules.Classify(http.Request.Method, userAgent, null, options.Value.BotClickWindow);
            await unitOfWork.InTransactionAsync(async () =>
            {
                if (await events.FindAsync(verified.MessageId, ct) is not { } message)
                    return false;
                return await recorder.OpenedAsync(new EmailEvent(message, "opened", DedupKey("o", message.Id, now, http, null), now, rule is not null,
                    Details: new Dictionary<string, object?> { ["source"] = "pixel", ["bot_rule"] = rule, ["user_agent"] = userAgent }), userAgent, ct);
            }, ct);
        }

        return TypedResults.File(Pixel, "image/gif");
    }

    /// <summary>
    /// The click redirect: 302 to the address the email carried, which the token signs (so it never redirects anywhere
    /// else); a tampered token is a 404 and no redirect. Bots (scanners, a click within seconds of sending) are redirected
    /// too, so that a scanner judges the real page, and their click is flagged.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The link is not one of ours (its signature does not hold).")]
    static async Task<Results<RedirectHttpResult, ProblemHttpResult>> Click(string token, HttpContext http, TrackingToken tokens, CurrentTenant tenant,
        UnitOfWork unitOfWork, EmailEventsStore events, EmailEventRecorder recorder, IOptions<TrackingOptions> options, TimeProvider clock,
        CancellationToken ct)
    {
        if (tokens.Verify(TrackingToken.Click, token) is not { Url: { } url } verified)
            return TypedResults.Problem("This link is not valid: it was changed or never sent by us.", statusCode: StatusCodes.Status404NotFound,
                title: "Unknown link");
        NoCache(http.Response);
        if (Enter(tenant, verified.TenantId))
        {
            var now = clock.GetUtcNow();
            var userAgent = UserAgent(http);
            await unitOfWork.InTransactionAsync(async () =>
            {
                if (await events.FindAsync(verified.MessageId, ct) is not { } message)
                    return false;
                TimeSpan? sinceSent = message.SentAt is { } sent ? now - new DateTimeOffset(sent, TimeSpan.Zero) : null;
                var rule = BotRules.Classify(http.Request.Method, userAgent, sinceSent, options.Value.BotClickWindow);
                return await recorder.ClickedAsync(new EmailEvent(message, "clicked", DedupKey("c", message.Id, now, http, url), now, rule is not null, url,
                    new Dictionary<string, object?> { ["source"] = "redirect", ["bot_rule"] = rule, ["user_agent"] = userAgent }), userAgent, ct);
            }, ct);
        }

        return TypedResults.Redirect(url);
    }

    [ProducesProblem(StatusCodes.Status404NotFound, "Postmark webhooks are not set up for this tenant.")]
    static async Task<Ok<PostmarkWebhookSettings>> GetPostmarkWebhook(CurrentTenant tenant, UnitOfWork unitOfWork, PostmarkWebhookStore store,
        IOptions<EmailOptions> options, CancellationToken ct)
    {
        var credentials = await unitOfWork.InTransactionAsync(() => store.GetAsync(ct), ct)
                          ?? throw new NotFoundException("Postmark webhooks are not set up: PUT /api/email/webhooks/postmark sets their credentials.");
        return TypedResults.Ok(Settings(options.Value, tenant.Required, credentials, null));
    }

    /// <summary>
    /// Sets the webhooks' basic auth credentials, or rotates them: a new password every time, shown only in this answer
    /// (within the URLs to paste into Postmark's webhook settings and its inbound server). The old one stops working at once.
    /// </summary>
    static async Task<Results<Ok<PostmarkWebhookSettings>, ValidationProblem>> PutPostmarkWebhook(PostmarkWebhookRequest request, CurrentTenant tenant,
        UnitOfWork unitOfWork, PostmarkWebhookStore store, IOptions<EmailOptions> options, CancellationToken ct)
    {
        var username = request.Username?.Trim() is { Length: > 0 } u ? u : "postmark";
        if (username.Length > 64 || username.Any(c => !(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-')))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["username"] = ["must be 1 to 64 of A-Z, a-z, 0-9, '.', '_', '-'"] });
        var password = PostmarkBasicAuth.NewPassword();
        var saved = await unitOfWork.InTransactionAsync(() => store.SaveAsync(username, PostmarkBasicAuth.Hash(password), ct), ct);
        return TypedResults.Ok(Settings(options.Value, tenant.Required, saved, password));
    }

    /// <summary>
    /// One Postmark webhook (Delivery, Bounce, SpamComplaint, Open, Click, SubscriptionChange): credentials checked first
    /// (401 with a <c>WWW-Authenticate</c> challenge), then the event recorded once (a repeat answers 200, <c>duplicate</c>, so
    /// Postmark stops retrying).
    /// </summary>
    [Consumes(typeof(PostmarkWebhookBody), "application/json")]
    [ProducesProblem(StatusCodes.Status400BadRequest, "The body is not a Postmark webhook (a JSON object with a RecordType).")]
    [ProducesProblem(StatusCodes.Status401Unauthorized, "The basic auth credentials are missing or wrong.")]
    static Task<Results<Ok<WebhookOutcome>, ProblemHttpResult>> ReceiveWebhook(Guid tenantId, HttpContext http, CurrentTenant tenant, UnitOfWork unitOfWork,
        PostmarkWebhookStore store, PostmarkWebhookProcessor processor, CancellationToken ct) =>
        AuthenticatedAsync(tenantId, http, tenant, unitOfWork, store, async body => PostmarkRecord.Parse(body) is { } record
            ? TypedResults.Ok(await processor.ProcessAsync(record, ct))
            : Malformed("A Postmark webhook is a JSON object with a RecordType."), ct);

    /// <summary>
    /// An inbound email (Postmark's inbound webhook): matched to the email it answers; a person's reply is
    /// <c>EmailReplied</c>, an automatic answer is recorded and answered <c>auto_reply</c>, not counted as a reply.
    /// </summary>
    [Consumes(typeof(PostmarkInboundBody), "application/json")]
    [ProducesProblem(StatusCodes.Status400BadRequest, "The body is not a Postmark inbound email (a JSON object with a MessageID).")]
    [ProducesProblem(StatusCodes.Status401Unauthorized, "The basic auth credentials are missing or wrong.")]
    static Task<Results<Ok<WebhookOutcome>, ProblemHttpResult>> ReceiveInbound(Guid tenantId, HttpContext http, CurrentTenant tenant, UnitOfWork unitOfWork,
        PostmarkWebhookStore store, InboundReplyProcessor processor, CancellationToken ct) =>
        AuthenticatedAsync(tenantId, http, tenant, unitOfWork, store, async body => PostmarkInbound.Parse(body) is { } inbound
            ? TypedResults.Ok(await processor.ProcessAsync(inbound, ct))
            : Malformed("A Postmark inbound email is a JSON object with a MessageID."), ct);

    static async Task<Results<Ok<WebhookOutcome>, ProblemHttpResult>> AuthenticatedAsync(Guid tenantId, HttpContext http, CurrentTenant tenant,
        UnitOfWork unitOfWork, PostmarkWebhookStore store, Func<JsonElement, Task<Results<Ok<WebhookOutcome>, ProblemHttpResult>>> work, CancellationToken ct)
    {
        var given = PostmarkBasicAuth.Read(http.Request.Headers.Authorization.ToString() is { Length: > 0 } h ? h : null);
        if (given is null || !Enter(tenant, tenantId))
            return Unauthorized(http, "Postmark webhooks authenticate with HTTP basic auth: put the credentials in the webhook URL.");
        return await unitOfWork.InTransactionAsync(async () =>
        {
            if (await store.GetAsync(ct) is not { } credentials || !PostmarkBasicAuth.Matches(given.Value, credentials.Username, credentials.PasswordHash))
                return Unauthorized(http, "The credentials are wrong (or were rotated): see GET /api/email/webhooks/postmark.");
            JsonElement body;
            try
            {
                body = (await JsonDocument.ParseAsync(http.Request.Body, cancellationToken: ct)).RootElement;
            }
            catch (JsonException)
            {
                return Malformed("The body is not JSON.");
            }

            return await work(body);
        }, ct);
    }

    static PostmarkWebhookSettings Settings(EmailOptions options, Guid tenantId, PostmarkWebhookStore.Credentials credentials, string? password)
    {
        var baseUri = new Uri(options.PublicBaseUrl.TrimEnd('/'));
        var userInfo = password is null ? $"{credentials.Username}@" : $"{credentials.Username}:{password}@";
        var webhook = $"{baseUri.Scheme}://{userInfo}{baseUri.Authority}{baseUri.AbsolutePath.TrimEnd('/')}/webhooks/postmark/{tenantId}";
        return new PostmarkWebhookSettings(credentials.Username, webhook, webhook + "/inbound", credentials.CreatedAt, credentials.RotatedAt, password);
    }

    /// <summary>Sets the token's tenant for this request; false when the caller's own token names another one.</summary>
    static bool Enter(CurrentTenant tenant, Guid tenantId)
    {
        if (tenant.Id is { } caller)
            return caller == tenantId;
        tenant.Set(tenantId);
        return true;
    }

    /// <summary>
    /// One event per hit, but the same client fetching twice in one second (mail clients do) counts once: message, second and
    /// a hash of the client's address and User-Agent (the address itself is not stored).
    /// </summary>
    static string DedupKey(string kind, Guid messageId, DateTimeOffset at, HttpContext http, string? url)
    {
        var client = $"{http.Request.Headers["X-Forwarded-For"].ToString().Split(',')[0].Trim()}|{http.Connection.RemoteIpAddress}|{http.Request.Headers.UserAgent}|{url}";
        return $"track:{kind}:{messageId}:{at.ToUnixTimeSeconds()}:{Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(client)), 0, 8)}";
    }

    static string? UserAgent(HttpContext http) =>
        http.Request.Headers.UserAgent.ToString() is { Length: > 0 } ua ? ua.Length > MaxUserAgent ? ua[..MaxUserAgent] : ua : null;

    static void NoCache(HttpResponse response)
    {
        response.Headers.CacheControl = "no-store, no-cache, must-revalidate, max-age=0";
        response.Headers.Pragma = "no-cache";
        response.Headers.Expires = "0";
    }

    static ProblemHttpResult Unauthorized(HttpContext http, string detail)
    {
        http.Response.Headers.WWWAuthenticate = $"Basic realm=\"{PostmarkBasicAuth.Realm}\", charset=\"UTF-8\"";
        return TypedResults.Problem(detail, statusCode: StatusCodes.Status401Unauthorized, title: "Invalid webhook credentials");
    }

    static ProblemHttpResult Malformed(string detail) =>
        TypedResults.Problem(detail, statusCode: StatusCodes.Status400BadRequest, title: "Malformed Postmark webhook");
}
