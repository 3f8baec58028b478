using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;

namespace GrowthOps.Leads.Apis;

/// <summary>Tasks on contacts and deals: due times in a time zone, assignee, priority; complete / reopen; the overdue list.</summary>
public static class TasksApi
{
    public static IHostApplicationBuilder AddTasks(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<TasksStore>();
        return builder;
    }

    public static RouteGroupBuilder MapTasksApi(this RouteGroupBuilder api)
    {
        var tasks = api.MapGroup("/tasks").WithTags("Tasks");
        tasks.MapPost("/", Create).WithIdempotency();
        tasks.MapGet("/", List);
        tasks.MapGet("/{id:guid}", Get);
        tasks.MapPatch("/{id:guid}", Patch);
        tasks.MapDelete("/{id:guid}", Delete);
        tasks.MapPost("/{id:guid}/complete", Complete);
        tasks.MapPost("/{id:guid}/reopen", Reopen);
        return api;
    }

    /// <summary>The caller's user id (the token's <c>sub</c>).</summary>
    public static string? UserOf(ClaimsPrincipal user) => user.FindFirst("sub")?.Value;

    [Consumes(typeof(TaskRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "An unknown contact or deal.")]
    static async Task<Results<Created<TaskDto>, ValidationProblem>> Create(JsonElement body, IOptions<JsonOptions> json, ClaimsPrincipal user,
        LeadsTransaction tx, TasksStore store, DealsStore deals, ContactsStore contacts, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var (request, present) = Read(body, json.Value.SerializerOptions, errors);
        if (request is not null)
        {
            if (string.IsNullOrWhiteSpace(request.Title))
                errors["title"] = ["required"];
            if (request.ContactId is null && request.DealId is null)
                errors["contact_id"] = ["a task is on a contact, a deal or both"];
        }
        var due = request is null ? null : Due(request, present, null, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var task = new TaskItem(Guid.CreateVersion7(), request!.Title!.Trim(), request.Description, request.ContactId, request.DealId, due?.At, due?.Zone,
            request.AssigneeId, request.Priority ?? "normal", "open", null, null, UserOf(user), now, now);
        await tx.RunAsync(async () =>
        {
            await RequireTargetsAsync(task.ContactId, task.DealId, contacts, deals, ct);
            await store.InsertAsync(task, ct);
            await publish.Publish(new TaskCreated(tx.UnitOfWork.TenantId!.Value, task.Id, task.Title, task.ContactId, task.DealId,
                task.DueAt is { } at ? new DateTimeOffset(at, TimeSpan.Zero) : null, task.AssigneeId, task.Priority, task.CreatedBy, now), ct);
        }, ct);
        return TypedResults.Created($"/api/leads/tasks/{task.Id}", TaskDto.From(task, now));
    }

    static async Task<Ok<Page<TaskDto>>> List([AsParameters] TasksQuery query, [AsParameters] PageRequest page, LeadsTransaction tx, TasksStore store,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var filter = new TasksStore.ListFilter(query.Status, query.ContactId, query.DealId, query.AssigneeId, query.Overdue == true, now);
        return TypedResults.Ok((await tx.RunAsync(() => store.ListAsync(filter, page, ct), ct)).Select(t => TaskDto.From(t, now)));
    }

    static async Task<Results<Ok<TaskDto>, NotFound>> Get(Guid id, LeadsTransaction tx, TasksStore store, TimeProvider clock, CancellationToken ct) =>
        await tx.RunAsync(() => store.GetAsync(id, ct), ct) is { } task ? TypedResults.Ok(TaskDto.From(task, clock.GetUtcNow().UtcDateTime)) : TypedResults.NotFound();

    [Consumes(typeof(TaskRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<TaskDto>, ValidationProblem>> Patch(Guid id, JsonElement body, IOptions<JsonOptions> json, LeadsTransaction tx,
        TasksStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var changes = ReadChanges(body, json.Value.SerializerOptions, errors);
        if (changes is null)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var updated = await tx.RunAsync(() => ChangeAsync(id, changes, store, now, ct), ct);
        return TypedResults.Ok(TaskDto.From(updated, now));
    }

    /// <summary>A PATCH body read and checked on its own (what can be, before the task is read); null with <paramref name="errors"/> otherwise.</summary>
    public sealed record Changes(TaskRequest Request, HashSet<string> Present);

    public static Changes? ReadChanges(JsonElement body, JsonSerializerOptions options, Dictionary<string, string[]> errors)
    {
        var (request, present) = Read(body, options, errors);
        if (request is null)
            return null;
        if (present.Contains("contact_id") || present.Contains("deal_id"))
            errors["contact_id"] = ["a task stays on what it was created on"];
        if (present.Contains("title") && string.IsNullOrWhiteSpace(request.Title))
            errors["title"] = ["cannot be cleared"];
        return errors.Count > 0 ? null : new Changes(request, present);
    }

    /// <summary>Applies checked changes to a task in the caller's transaction (the API's PATCH and the <c>UpdateTask</c> command).</summary>
    public static async Task<TaskItem> ChangeAsync(Guid id, Changes changes, TasksStore store, DateTime now, CancellationToken ct)
    {
        var (request, present) = changes;
        var task = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No task {id}.");
        var dueErrors = new Dictionary<string, string[]>();
        var due = Due(request, present, task, dueErrors);
        if (dueErrors.Count > 0)
            throw new RuleRefusedException(string.Join(" ", dueErrors.Select(e => $"{e.Key} {e.Value[0]}.")), new Dictionary<string, object?> { ["field"] = dueErrors.Keys.First() });
        var changed = task with
        {
            Title = present.Contains("title") ? request.Title!.Trim() : task.Title,
            Description = present.Contains("description") ? request.Description : task.Description,
            DueAt = due?.At,
            Timezone = due?.Zone,
            AssigneeId = present.Contains("assignee_id") ? request.AssigneeId : task.AssigneeId,
            Priority = present.Contains("priority") ? request.Priority ?? "normal" : task.Priority,
            UpdatedAt = now,
        };
        await store.UpdateAsync(changed, ct);
        return changed;
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<NoContent, NotFound>> Delete(Guid id, LeadsTransaction tx, TasksStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    /// <summary>Completes an open task (<c>TaskCompleted</c>); completing a completed one changes nothing.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<TaskDto>> Complete(Guid id, ClaimsPrincipal user, LeadsTransaction tx, TasksStore store, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken ct) =>
        SetStatusAsync(id, "completed", UserOf(user), tx, store, publish, clock, ct);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<TaskDto>> Reopen(Guid id, LeadsTransaction tx, TasksStore store, IPublishEndpoint publish, TimeProvider clock, CancellationToken ct) =>
        SetStatusAsync(id, "open", null, tx, store, publish, clock, ct);

    /// <summary>Completes or reopens a task in the caller's transaction (the API's and the commands').</summary>
    public static async Task<TaskItem> SetStatusAsync(Guid id, string status, string? by, TasksStore store, IPublishEndpoint publish, Guid tenantId,
        DateTime now, CancellationToken ct)
    {
        var task = await store.GetAsync(id, ct, forUpdate: true) ?? throw new NotFoundException($"No task {id}.");
        if (task.Status == status)
            return task;
        var changed = task with
        {
            Status = status, CompletedAt = status == "completed" ? now : null, CompletedBy = status == "completed" ? by : null, UpdatedAt = now,
        };
        await store.UpdateAsync(changed, ct);
        if (status == "completed")
            await publish.Publish(new TaskCompleted(tenantId, task.Id, task.Title, task.ContactId, task.DealId, by, now), ct);
        return changed;
    }

    static async Task<Ok<TaskDto>> SetStatusAsync(Guid id, string status, string? by, LeadsTransaction tx, TasksStore store, IPublishEndpoint publish,
        TimeProvider clock, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var task = await tx.RunAsync(() => SetStatusAsync(id, status, by, store, publish, tx.UnitOfWork.TenantId!.Value, now, ct), ct);
        return TypedResults.Ok(TaskDto.From(task, now));
    }

    static (TaskRequest? Request, HashSet<string> Present) Read(JsonElement body, JsonSerializerOptions options, Dictionary<string, string[]> errors)
    {
        if (body.ValueKind != JsonValueKind.Object)
        {
            errors["body"] = ["must be a JSON object"];
            return (null, []);
        }
        if (!GrowthOps.ServiceDefaults.Validation.RequestLimits.Check<TaskRequest>(body, errors))
            return (null, []);
        try
        {
            return (body.Deserialize<TaskRequest>(options), body.EnumerateObject().Select(p => p.Name).ToHashSet());
        }
        catch (JsonException e)
        {
            errors[e.Path?.TrimStart('$', '.') is { Length: > 0 } path ? path : "body"] = ["has the wrong type"];
            return (null, []);
        }
    }

    /// <summary>The due instant and its zone from due_at (with an offset) or due_local + timezone; the current ones when neither is given.</summary>
    static (DateTime? At, string? Zone)? Due(TaskRequest request, HashSet<string> present, TaskItem? current, Dictionary<string, string[]> errors)
    {
        var zone = present.Contains("timezone") ? request.Timezone : current?.Timezone;
        TimeZoneInfo? tz = null;
        if (zone is not null && !TimeZoneInfo.TryFindSystemTimeZoneById(zone, out tz))
            errors["timezone"] = ["an IANA time zone such as Europe/Paris"];
        if (present.Contains("due_at") && present.Contains("due_local"))
            errors["due_at"] = ["give due_at or due_local, not both"];
        if (errors.Count > 0)
            return null;
        if (present.Contains("due_local") && request.DueLocal is { } local)
        {
            if (tz is null)
            {
                errors["timezone"] = ["required with due_local"];
                return null;
            }
            var unspecified = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
            // A local time that does not exist (skipped by a DST change) moves forward by the gap, as calendars do.
            if (tz.IsInvalidTime(unspecified))
                unspecified = unspecified.AddHours(1);
            return (TimeZoneInfo.ConvertTimeToUtc(unspecified, tz), zone);
        }
        if (present.Contains("due_at") || present.Contains("due_local"))
            return (request.DueAt?.UtcDateTime, zone);
        return (current?.DueAt, zone);
    }

    public static async Task RequireTargetsAsync(Guid? contactId, Guid? dealId, ContactsStore contacts, DealsStore deals, CancellationToken ct)
    {
        if (contactId is { } c && await contacts.GetAsync(c, ct) is null)
            throw new RuleRefusedException($"No contact {c}.", new Dictionary<string, object?> { ["field"] = "contact_id" });
        if (dealId is { } d && await deals.GetAsync(d, ct) is null)
            throw new RuleRefusedException($"No deal {d}.", new Dictionary<string, object?> { ["field"] = "deal_id" });
    }
}
