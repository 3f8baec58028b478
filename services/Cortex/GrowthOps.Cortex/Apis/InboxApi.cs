using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Security.Claims;
using System.Text.RegularExpressions;
using GrowthOps.Cortex.Data;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// The caller's in-app notifications (what workflows' <c>send_notification</c> actions sent them: the token's <c>sub</c> is
/// the user), and the tenant's secrets that action configs name (write-only: their values are never returned).
/// </summary>
public static partial class InboxApi
{
    public static RouteGroupBuilder MapInboxApi(this RouteGroupBuilder api)
    {
        var inbox = api.MapGroup("/notifications").WithTags("Notifications");
        inbox.MapGet("/", List);
        inbox.MapPost("/{id:guid}/read", Read);
        inbox.MapPost("/read-all", ReadAll);

        var secrets = api.MapGroup("/secrets").WithTags("Secrets");
        secrets.MapGet("/", Secrets).RequireScope(WorkflowScopes.Read);
        secrets.MapPut("/{name}", PutSecret).RequireScope(WorkflowScopes.Update);
        secrets.MapDelete("/{name}", DeleteSecret).RequireScope(WorkflowScopes.Update);
        return api;
    }

    public sealed record NotificationDto(Guid Id, string Title, string? Body, string? Link, Guid? WorkflowId, Guid? RunId, Guid? ContactId,
        DateTime CreatedAt, DateTime? ReadAt)
    {
        public static NotificationDto From(Notification n) => new(n.Id, n.Title, n.Body, n.Link, n.WorkflowId, n.RunId, n.ContactId, n.CreatedAt, n.ReadAt);
    }

    public sealed record InboxPage(IReadOnlyList<NotificationDto> Items, string? NextCursor, [property: Description("The caller's unread notifications.")] long Unread);

    public sealed record SecretRequest([property: Required, MaxLength(8192), Description("The value; stored encrypted, never shown again.")] string? Value = null);

    public sealed record SecretDto(string Name, DateTime CreatedAt, DateTime UpdatedAt);

    static string User(ClaimsPrincipal user) => user.FindFirst("sub")?.Value is { Length: > 0 } sub ? sub
        : throw new RuleRefusedException("The token names no user (sub): notifications are per user.");

    /// <summary>The caller's notifications, newest first, with the unread count.</summary>
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The token names no user.")]
    static async Task<Ok<InboxPage>> List([Description("Only unread ones.")] bool? unread, [AsParameters] PageRequest page, ClaimsPrincipal user,
        UnitOfWork unitOfWork, NotificationsStore store, CancellationToken ct)
    {
        var me = User(user);
        var (result, count) = await unitOfWork.InTransactionAsync(async () =>
            (await store.ListAsync(me, unread ?? false, page, ct), await store.UnreadAsync(me, ct)), ct);
        return TypedResults.Ok(new InboxPage(result.Items.Select(NotificationDto.From).ToList(), result.NextCursor, count));
    }

    [ProducesProblem(StatusCodes.Status404NotFound, "Not one of the caller's notifications.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The token names no user.")]
    static async Task<Ok<NotificationDto>> Read(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, NotificationsStore store, TimeProvider clock,
        CancellationToken ct)
    {
        var me = User(user);
        var n = await unitOfWork.InTransactionAsync(() => store.MarkReadAsync(me, id, clock.GetUtcNow().UtcDateTime, ct), ct)
                ?? throw new NotFoundException($"No notification {id} for you.");
        return TypedResults.Ok(NotificationDto.From(n));
    }

    public sealed record ReadAllResult(int Marked);

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The token names no user.")]
    static async Task<Ok<ReadAllResult>> ReadAll(ClaimsPrincipal user, UnitOfWork unitOfWork, NotificationsStore store, TimeProvider clock, CancellationToken ct)
    {
        var me = User(user);
        return TypedResults.Ok(new ReadAllResult(await unitOfWork.InTransactionAsync(() => store.MarkAllReadAsync(me, clock.GetUtcNow().UtcDateTime, ct), ct)));
    }

    /// <summary>The secrets' names and dates; never their values.</summary>
    static async Task<Ok<List<SecretDto>>> Secrets(UnitOfWork unitOfWork, SecretsStore store, CancellationToken ct) =>
        TypedResults.Ok((await unitOfWork.InTransactionAsync(() => store.ListAsync(ct), ct)).Select(s => new SecretDto(s.Name, s.CreatedAt, s.UpdatedAt)).ToList());

    /// <summary>Sets a secret (configs name it: <c>{{secrets.name}}</c>, <c>signing_secret</c>, <c>twilio_account_sid</c>, <c>twilio_auth_token</c>).</summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    static async Task<Results<Ok<SecretDto>, ValidationProblem>> PutSecret(
        [Description("Letters, digits and _ (1 to 100), starting with a letter.")] string name, SecretRequest request, UnitOfWork unitOfWork,
        SecretsStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request) ?? [];
        if (!SecretName().IsMatch(name))
            errors["name"] = ["letters, digits and _ (1 to 100), starting with a letter"];
        if (string.IsNullOrEmpty(request.Value))
            errors["value"] = ["required"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        await unitOfWork.InTransactionAsync(async () =>
        {
            await store.SetAsync(name, request.Value!, now, ct);
            return true;
        }, ct);
        var saved = (await unitOfWork.InTransactionAsync(() => store.ListAsync(ct), ct)).Single(s => s.Name == name);
        return TypedResults.Ok(new SecretDto(saved.Name, saved.CreatedAt, saved.UpdatedAt));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<NoContent> DeleteSecret(string name, UnitOfWork unitOfWork, SecretsStore store, CancellationToken ct) =>
        await unitOfWork.InTransactionAsync(() => store.DeleteAsync(name, ct), ct) ? TypedResults.NoContent() : throw new NotFoundException($"No secret '{name}'.");

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,99}$")]
    public static partial Regex SecretName();
}
