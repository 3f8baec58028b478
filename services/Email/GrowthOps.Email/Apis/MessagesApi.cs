using System.Security.Claims;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Transactional;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Transactional sends (<c>POST /messages</c>, the HTTP twin of the <c>SendEmail</c> command) and every email's state
/// (<c>GET /messages</c>, <c>GET /messages/{id}</c>, campaign sends included).
/// </summary>
public static class MessagesApi
{
    public static RouteGroupBuilder MapMessagesApi(this RouteGroupBuilder api)
    {
        var messages = api.MapGroup("/messages").WithTags("Messages");
        messages.MapPost("/", Send);
        messages.MapGet("/", List);
        messages.MapGet("/{id:guid}", Get);
        return api;
    }

    /// <summary>
    /// Queues one email ahead of every broadcast: 201 with the message. The same idempotency key again answers the message it
    /// queued with 200 and queues nothing — forever, not for a retention window; the same key with other content is refused
    /// with 409 (it names the message that holds the key), as a client bug rather than a second send.
    /// </summary>
    [ProducesProblem(StatusCodes.Status404NotFound, "The contact or template does not exist.")]
    [ProducesProblem(StatusCodes.Status409Conflict, "The idempotency key was used for other content (message_id names that message).")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The contact has no address, the template is archived, or the content does not render.")]
    internal static async Task<Results<Created<EmailMessage>, Ok<EmailMessage>, ValidationProblem>> Send(MessageRequest request,
        [FromHeader(Name = IdempotencyHeaders.Key)] string? idempotencyKey, ClaimsPrincipal user, UnitOfWork unitOfWork,
        TransactionalSender sender, MessagesStore messages, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        var key = request.IdempotencyKey;
        if (idempotencyKey is not null)
        {
            if (!IdempotencyHeaders.TryParseKey(idempotencyKey, out var header, out var problem))
                errors[IdempotencyHeaders.Key] = [problem];
            else if (key is not null && key != header)
                errors["idempotency_key"] = ["differs from the Idempotency-Key header; give one of them"];
            else
                key = header;
        }

        var send = new SendRequest(key, request.ContactId, request.To, request.TemplateId, request.TemplateVersion, request.Subject, request.Html,
            request.Text, request.MergeData, request.Category, request.DryRun ?? false, request.From, request.ReplyTo,
            $"api:{user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier) ?? "unknown"}", null);
        foreach (var (field, problems) in send.Errors())
            errors.TryAdd(field, problems);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var (outcome, message) = await unitOfWork.InTransactionAsync(async () =>
        {
            var outcome = await sender.SendAsync(send, ct);
            if (outcome.Refusal is { } refusal)
            {
                var details = new Dictionary<string, object?> { ["error_code"] = refusal.ErrorCode };
                throw refusal.NotFound ? new NotFoundException(refusal.Message, details) : new RuleRefusedException(refusal.Message, details);
            }

            if (!outcome.SameContent)
                throw new ConflictException($"The idempotency key '{key}' was used for another email ({outcome.Id}); use a new key for a new email.",
                    new Dictionary<string, object?> { ["message_id"] = outcome.Id });
            return (outcome, (await messages.GetAsync(outcome.Id!.Value, ct))!);
        }, ct);
        return outcome.Created ? TypedResults.Created($"/api/email/messages/{message.Id}", message) : TypedResults.Ok(message);
    }

    internal static async Task<Results<Ok<Page<EmailMessage>>, ValidationProblem>> List([AsParameters] MessagesQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, MessagesStore messages, CancellationToken ct)
    {
        if (query.Errors() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => messages.ListAsync(query.ToFilter(), page, ct), ct));
    }

    /// <summary>The message with its attempts, provider ids, error and what happened to it since (events, oldest first).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<EmailMessage>> Get(Guid id, UnitOfWork unitOfWork, MessagesStore messages, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => messages.GetAsync(id, ct), ct)
                        ?? throw new NotFoundException($"Message {id} does not exist."));
}
