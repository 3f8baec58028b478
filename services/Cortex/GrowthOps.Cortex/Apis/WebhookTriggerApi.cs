using System.ComponentModel;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using GrowthOps.Cortex.Data;
using GrowthOps.Cortex.Domain.Runs;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.Authorization;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GrowthOps.Cortex.Apis;

/// <summary>
/// The <c>webhook.received</c> trigger: each such workflow has a secret URL,
/// <c>POST /webhooks/cortex/{tenant}/{workflow}/{secret}</c>, that anyone holding it may call with a JSON object (anonymous:
/// the secret is the credential). Each call starts a run with the body as <c>event.*</c>; the body's <c>contact_id</c> or
/// <c>email</c> names the run's contact. A sender's retry with the same <c>Idempotency-Key</c> or <c>webhook-id</c> header
/// starts nothing twice. The secret is shown once, when made or rotated; only its SHA-256 is stored.
/// </summary>
public static class WebhookTriggerApi
{
    public const int MaxBodyBytes = 256 * 1024;

    public static RouteGroupBuilder MapWebhookTriggerManagement(this RouteGroupBuilder api)
    {
        var hook = api.MapGroup("/workflows/{id:guid}/webhook").WithTags("Workflows");
        hook.MapPost("/", Rotate).RequireScope(WorkflowScopes.Update);
        hook.MapGet("/", Get).RequireScope(WorkflowScopes.Read);
        hook.MapDelete("/", Revoke).RequireScope(WorkflowScopes.Update);
        return api;
    }

    public static WebApplication MapWebhookTriggerReceiver(this WebApplication app)
    {
        app.MapPost("/webhooks/cortex/{tenant_id:guid}/{workflow_id:guid}/{secret}", Receive).WithTags("Webhook trigger").AllowAnonymous()
            .WithMetadata(new RequestSizeLimitAttribute(MaxBodyBytes));
        return app;
    }

    public sealed record WebhookDto(Guid WorkflowId,
        [property: Description("The URL to give the sender; its secret only in the answer that made it, otherwise masked.")] string Url,
        DateTime CreatedAt, DateTime? LastReceivedAt);

    public sealed record WebhookReceived([property: Description("The run this call started; null when the trigger's filter or the re-entry policy let none start.")] Guid? RunId);

    static string Hash(string secret) => Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    static string Url(CortexOptions options, Guid tenantId, Guid workflowId, string secret) =>
        $"{options.PublicBaseUrl.TrimEnd('/')}/webhooks/cortex/{tenantId}/{workflowId}/{secret}";

    /// <summary>Makes the workflow's secret URL, or a new one (the old stops working at once); the secret is in this answer only.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The workflow's trigger is not webhook.received.")]
    static async Task<Created<WebhookDto>> Rotate(Guid id, UnitOfWork unitOfWork, WorkflowsStore workflows, CurrentTenant tenant, IOptions<CortexOptions> options,
        TimeProvider clock, CancellationToken ct)
    {
        var secret = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)).TrimEnd('=').Replace('+', '-').Replace('/', '_');
        var now = clock.GetUtcNow().UtcDateTime;
        await unitOfWork.InTransactionAsync(async () =>
        {
            var w = await workflows.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No workflow {id}.");
            if (Domain.Graph.WorkflowGraph.Read(w.Graph, [])?.TriggerType != "webhook.received")
                throw new ConflictException($"Workflow {id} is not triggered by webhook.received.");
            return await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                insert into cortex.workflow_webhooks (tenant_id, workflow_id, secret_hash, created_at)
                values (cortex.current_tenant(), @id, decode(@hash, 'hex'), @now)
                on conflict (tenant_id, workflow_id) do update set secret_hash = excluded.secret_hash, created_at = excluded.created_at, last_received_at = null
                """, new { id, hash = Hash(secret), now }, ct));
        }, ct);
        return TypedResults.Created($"/api/cortex/workflows/{id}/webhook", new WebhookDto(id, Url(options.Value, tenant.Required, id, secret), now, null));
    }

    [ProducesProblem(StatusCodes.Status404NotFound, "No such workflow, or it has no webhook URL.")]
    static async Task<Ok<WebhookDto>> Get(Guid id, UnitOfWork unitOfWork, CurrentTenant tenant, IOptions<CortexOptions> options, CancellationToken ct)
    {
        var row = await unitOfWork.InTransactionAsync(() => unitOfWork.Connection.QuerySingleOrDefaultAsync<(DateTime, DateTime?)?>(unitOfWork.Command(
            "select created_at, last_received_at from cortex.workflow_webhooks where workflow_id = @id", new { id }, ct)), ct)
            ?? throw new NotFoundException($"Workflow {id} has no webhook URL: POST to this route makes one.");
        return TypedResults.Ok(new WebhookDto(id, Url(options.Value, tenant.Required, id, "********"), row.Item1, row.Item2));
    }

    [ProducesProblem(StatusCodes.Status404NotFound, "No such workflow, or it has no webhook URL.")]
    static async Task<NoContent> Revoke(Guid id, UnitOfWork unitOfWork, CancellationToken ct)
    {
        var deleted = await unitOfWork.InTransactionAsync(() => unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from cortex.workflow_webhooks where workflow_id = @id", new { id }, ct)), ct);
        return deleted == 1 ? TypedResults.NoContent() : throw new NotFoundException($"Workflow {id} has no webhook URL.");
    }

    /// <summary>Starts a run of the workflow with the body (a JSON object) as its event; 404 for a URL that is not (or no longer) one.</summary>
    [Consumes("application/json")]
    [ProducesProblem(StatusCodes.Status400BadRequest, "The body is not a JSON object, or names a contact Cortex does not know.")]
    [ProducesProblem(StatusCodes.Status404NotFound, "No such webhook URL (wrong, rotated or revoked).")]
    [ProducesProblem(StatusCodes.Status409Conflict, "The workflow is paused or archived.")]
    [ProducesProblem(StatusCodes.Status413PayloadTooLarge)]
    static async Task<Results<Accepted<WebhookReceived>, ProblemHttpResult>> Receive([FromRoute(Name = "tenant_id")] Guid tenantId,
        [FromRoute(Name = "workflow_id")] Guid workflowId, string secret,
        [FromBody] JsonElement body, HttpContext http, CurrentTenant tenant, UnitOfWork unitOfWork, WorkflowsStore workflows, ContactsStore contacts,
        RunsStore runs, Watcher watcher, RunModel models, ISendEndpointProvider send, TimeProvider clock, CancellationToken ct)
    {
        var unknown = TypedResults.Problem("No such webhook URL: it is wrong, or was rotated or revoked.", statusCode: StatusCodes.Status404NotFound,
            title: "Unknown webhook");
        if (tenant.Id is { } caller && caller != tenantId || secret.Length is < 20 or > 100)
            return unknown;
        if (body.ValueKind != JsonValueKind.Object)
            return TypedResults.Problem("The body must be a JSON object.", statusCode: StatusCodes.Status400BadRequest, title: "Not an object");
        if (tenant.Id is null)
            tenant.Set(tenantId);
        var key = http.Request.Headers["Idempotency-Key"].ToString() is { Length: > 0 and <= 200 } k ? k
            : http.Request.Headers["webhook-id"].ToString() is { Length: > 0 and <= 200 } w ? w : null;
        return await unitOfWork.InTransactionAsync<Results<Accepted<WebhookReceived>, ProblemHttpResult>>(async () =>
        {
            var stored = await unitOfWork.Connection.QuerySingleOrDefaultAsync<byte[]>(unitOfWork.Command(
                "select secret_hash from cortex.workflow_webhooks where workflow_id = @workflowId for update", new { workflowId }, ct));
            if (stored is null || !CryptographicOperations.FixedTimeEquals(stored, Convert.FromHexString(Hash(secret))))
                return unknown;
            // The live version's trigger (registered while the workflow is active) with its filter.
            var trigger = (await workflows.TriggersAsync("webhook.received", ct)).Where(t => t.WorkflowId == workflowId).ToList();
            if (trigger is not [var (_, version, filter)])
                return TypedResults.Problem($"Workflow {workflowId} is not active: it starts no runs now.", statusCode: StatusCodes.Status409Conflict,
                    title: "Workflow not active");

            Guid? contactId = null;
            if (body.TryGetProperty("contact_id", out var c) && c.ValueKind != JsonValueKind.Null)
            {
                if (c.ValueKind != JsonValueKind.String || !Guid.TryParse(c.GetString(), out var g) || await contacts.GetAsync(g, ct) is null)
                    return TypedResults.Problem($"No contact {c.GetRawText()}: contact_id names a contact Cortex knows (or leave it out).",
                        statusCode: StatusCodes.Status400BadRequest, title: "Unknown contact");
                contactId = g;
            }
            else if (body.TryGetProperty("email", out var e) && e.ValueKind == JsonValueKind.String && e.GetString() is { Length: > 0 and <= 320 } email)
                contactId = await contacts.IdByEmailAsync(email, ct);

            var now = clock.GetUtcNow();
            var payload = JsonNode.Parse(body.GetRawText())!.AsObject();
            payload["received_at"] = now.UtcDateTime.ToString("O");
            var eventId = key is null ? Guid.CreateVersion7() : ExecuteStep.Derive($"hook/{workflowId}/{key}");
            var received = new TriggerEvent(eventId, "webhook.received", contactId, payload, now);
            // The trigger's filter on the payload (and the contact, when one is named), as every trigger's.
            var passes = filter is not { ValueKind: JsonValueKind.Array or JsonValueKind.Object } f || await (await models.FiltersForAsync(received, now, ct))(f);
            var runId = passes ? await watcher.StartAsync(tenantId, workflowId, version, received, null, false, send, now, ct) : null;
            // A sender's retry (same key): the run the first call started.
            if (runId is null && key is not null && await runs.GetAsync(Watcher.RunIdFor(workflowId, eventId, false), ct) is { } earlier)
                runId = earlier.Id;
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                "update cortex.workflow_webhooks set last_received_at = @at where workflow_id = @workflowId", new { workflowId, at = now.UtcDateTime }, ct));
            return TypedResults.Accepted(runId is null ? (string?)null : $"/api/cortex/runs/{runId}", new WebhookReceived(runId));
        }, ct);
    }
}
