using GrowthOps.Contracts.Email;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Unsubscribing;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.OpenApi;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Email.Apis;

/// <summary>
/// The anonymous unsubscribe endpoints every marketing email links to (the gateway forwards <c>/t/…</c> without a token).
/// <c>GET</c> only shows a confirmation page — link scanners and prefetchers follow links, and must not unsubscribe anyone
/// (RFC 8058 §4); <c>POST</c> (that page's form, or a mail client's RFC 8058 one-click with body
/// <c>List-Unsubscribe=One-Click</c>) unsubscribes. The token is verified before anything else; its tenant is the unit of
/// work's. Unsubscribing twice answers the same and announces nothing more.
/// </summary>
public static class UnsubscribeApi
{
    public static IEndpointRouteBuilder MapUnsubscribeLinks(this IEndpointRouteBuilder app)
    {
        var links = app.MapGroup(UnsubscribeLinks.PathPrefix.TrimEnd('/')).WithTags("Unsubscribe").AllowAnonymous();
        links.MapGet("/{token}", Confirm).Produces<string>(StatusCodes.Status200OK, "text/html");
        links.MapPost("/{token}", Unsubscribe).Produces<string>(StatusCodes.Status200OK, "text/html").DisableAntiforgery()
            .Accepts<IFormCollection>("application/x-www-form-urlencoded", "multipart/form-data");
        return app;
    }

    [ProducesProblem(StatusCodes.Status400BadRequest, "The link is not one we signed (altered or made up).")]
    internal static Results<ContentHttpResult, ProblemHttpResult> Confirm(string token, HttpRequest http, UnsubscribeToken tokens) =>
        tokens.TryVerify(token, out var claims)
            ? TypedResults.Content(UnsubscribePage.Confirm(claims.Value.Email, $"{http.PathBase}{http.Path}"), UnsubscribePage.ContentType)
            : Forged();

    [ProducesProblem(StatusCodes.Status400BadRequest, "The link is not one we signed (altered or made up).")]
    internal static async Task<Results<ContentHttpResult, ProblemHttpResult>> Unsubscribe(string token, HttpRequest http, UnsubscribeToken tokens,
        UnitOfWork unitOfWork, SuppressionsStore suppressions, UnsubscribesStore unsubscribes, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken ct)
    {
        if (!tokens.TryVerify(token, out var verified))
            return Forged();
        var claims = verified.Value;
        var oneClick = http.HasFormContentType && (await http.ReadFormAsync(ct))["List-Unsubscribe"] == "One-Click";
        var source = oneClick ? "one_click" : "link";

        await unitOfWork.BeginAsync(claims.TenantId, ct);
        try
        {
            var sent = await unsubscribes.MessageAsync(claims.MessageId, ct);
            var now = clock.GetUtcNow();
            if (await unsubscribes.RecordAsync(claims.MessageId, sent, source, now, ct))
            {
                await suppressions.AddAsync(claims.Email, "unsubscribe", source, claims.MessageId, sent?.CampaignId, null, ct);
                await publish.Publish(new EmailUnsubscribed(claims.TenantId, claims.MessageId, sent?.ContactId, claims.Email, sent?.CampaignId, source, now), ct);
            }

            await unitOfWork.CommitAsync(ct);
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }

        return TypedResults.Content(UnsubscribePage.Done(claims.Email), UnsubscribePage.ContentType);
    }

    static ProblemHttpResult Forged() => TypedResults.Problem(
        "This unsubscribe link is not valid: it may have been cut short or altered. Use the link in the email as it arrived.",
        statusCode: StatusCodes.Status400BadRequest, title: "Invalid unsubscribe link");
}
