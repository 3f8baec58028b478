using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Leads.Commands;
using GrowthOps.Leads.Apis;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Domain.Commands;
using GrowthOps.Leads.Domain.Deals;
using GrowthOps.Leads.Domain.Work;
using GrowthOps.ServiceDefaults.Validation;
using System.Text.Json.Nodes;
using MassTransit;
using Microsoft.Extensions.Options;
using JsonOptions = Microsoft.AspNetCore.Http.Json.JsonOptions;
using static GrowthOps.Leads.Domain.Commands.CommandRunner;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// The commands Cortex, sequences and Email send Leads, each applied through the same rules as the API (lead states through
/// the state engine with source <c>automation</c>, deals through the deal book, tags and fields through the directory), once
/// per command id, and answered (<see cref="CommandRunner"/>). Behind the inbox, in the message's tenant.
/// </summary>
public sealed class LeadsCommandsConsumer(
    CommandRunner runner,
    ContactDirectory directory,
    ContactsStore contacts,
    LeadStateEngine engine,
    OwnerAssignment owners,
    TasksStore tasks,
    DealsStore deals,
    NotesStore notes,
    ActivityFeed feed,
    DealBook book,
    ContactMerger merger,
    MergesStore merges,
    PredictionService predictions,
    IOptions<JsonOptions> json,
    IPublishEndpoint publish,
    TimeProvider clock) :
    IConsumer<AddTag>, IConsumer<RemoveTag>, IConsumer<UpdateContactField>, IConsumer<ChangeLeadState>, IConsumer<AssignOwner>, IConsumer<CreateTask>,
    IConsumer<CompleteTask>, IConsumer<AddNote>, IConsumer<CreateDeal>, IConsumer<UpdateDeal>, IConsumer<MoveDealStage>, IConsumer<MergeContacts>,
    IConsumer<RecalculateScore>, IConsumer<SetMarketingConsent>, IConsumer<UpdateTask>, IConsumer<RecordActivity>, IConsumer<PredictNextState>
{
    const string Source = TransitionSources.Automation;

    public Task Consume(ConsumeContext<AddTag> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var tag = Tag(context.Message.Tag);
        return (await directory.AddTagAsync(contact!.Id, tag, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<RemoveTag> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var tag = Tag(context.Message.Tag);
        return (await directory.RemoveTagAsync(contact!.Id, tag, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<UpdateContactField> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var body = JsonSerializer.SerializeToElement(context.Message.Fields ?? new Dictionary<string, JsonElement>());
        var errors = new Dictionary<string, string[]>();
        var fields = RequestLimits.Check<ContactRequest>(body, errors) ? ContactFields.Parse(body, errors) : null;
        if (fields?.Kind is { HasValue: true, Value: null })
            errors["kind"] = ["cannot be cleared"];
        if (errors.Count > 0 || fields is null)
            throw Invalid(errors);
        return (await directory.PatchAsync(contact!.Id, fields, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<ChangeLeadState> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.ToState))
            throw new InvalidCommandException("to_state is required.");
        // Already there: what the sender wanted holds (a workflow step replayed, two workflows agreeing).
        if (string.Equals(contact!.StateName, m.ToState.Trim(), StringComparison.OrdinalIgnoreCase) || contact.StateId?.ToString() == m.ToState.Trim())
            return contact.Id;
        var entry = await engine.TransitionAsync(new LeadStateEngine.Request(contact.Id, m.ToState.Trim(), null, m.Notes, m.RequestedBy, Source),
            context.CancellationToken);
        return entry.Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<AssignOwner> context)
    {
        var m = context.Message;
        return runner.RunAsync(m, m.DealId is null ? ContactUse.Required : ContactUse.Optional, async contact =>
        {
            if ((m.OwnerId is null) == (m.Group is null))
                throw new InvalidCommandException("Give owner_id or group, one of them.");
            if (m.DealId is { } dealId)
            {
                await owners.AssignDealAsync(dealId, m.OwnerId, m.Group, m.RequestedBy, context.CancellationToken);
                return dealId;
            }

            await owners.AssignContactAsync(contact!.Id, m.OwnerId, m.Group, m.RequestedBy, context.CancellationToken);
            return contact.Id;
        }, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CreateTask> context)
    {
        var m = context.Message;
        return runner.RunAsync(m, m.DealId is null ? ContactUse.Required : ContactUse.Optional, async contact =>
        {
            var ct = context.CancellationToken;
            if (string.IsNullOrWhiteSpace(m.Title) || m.Title.Length > TaskRequest.MaxTitle)
                throw new InvalidCommandException($"title is required, up to {TaskRequest.MaxTitle} characters.");
            if (m.Description is { Length: > LeadsDefaults.MaxDescription })
                throw new InvalidCommandException($"description takes up to {LeadsDefaults.MaxDescription} characters.");
            if (m.Priority is not (null or "low" or "normal" or "high" or "urgent"))
                throw new InvalidCommandException("priority is low, normal, high or urgent.");
            await TasksApi.RequireTargetsAsync(contact?.Id, m.DealId, contacts, deals, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            var task = new TaskItem(Guid.CreateVersion7(), m.Title.Trim(), m.Description, contact?.Id, m.DealId, m.DueAt?.UtcDateTime, null, m.AssigneeId,
                m.Priority ?? "normal", "open", null, null, m.RequestedBy, now, now);
            await tasks.InsertAsync(task, ct);
            await publish.Publish(new TaskCreated(contacts.TenantId, task.Id, task.Title, task.ContactId, task.DealId, m.DueAt, task.AssigneeId,
                task.Priority, task.CreatedBy, now), ct);
            return task.Id;
        }, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CompleteTask> context) => runner.RunAsync(context.Message, ContactUse.Optional, async _ =>
    {
        var m = context.Message;
        return (await TasksApi.SetStatusAsync(m.TaskId, "completed", m.RequestedBy, tasks, publish, contacts.TenantId, clock.GetUtcNow().UtcDateTime,
            context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<AddNote> context)
    {
        var m = context.Message;
        return runner.RunAsync(m, m.DealId is null ? ContactUse.Required : ContactUse.Optional, async contact =>
        {
            if (string.IsNullOrWhiteSpace(m.Body) || m.Body.Length > NoteRequest.MaxBody)
                throw new InvalidCommandException($"body is required, up to {NoteRequest.MaxBody} characters.");
            var note = await NotesApi.AddAsync(m.Body, contact?.Id, m.DealId, m.RequestedBy, notes, contacts, deals, feed, clock, context.CancellationToken);
            return note.Id;
        }, context.CancellationToken);
    }

    public Task Consume(ConsumeContext<CreateDeal> context) => runner.RunAsync(context.Message, ContactUse.Optional, async contact =>
    {
        var m = context.Message;
        var errors = new Dictionary<string, string[]>();
        var draft = RequestLimits.Check<DealRequest>(m.Deal, errors) ? DealFields.Draft(DealFields.Parse(m.Deal, errors), errors) : null;
        if (draft is null)
            throw Invalid(errors);
        if (contact is not null)
            draft = draft with { ContactIds = [.. draft.ContactIds.Append(contact.Id).Distinct()] };
        return (await book.CreateAsync(draft, Source, m.RequestedBy, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<UpdateDeal> context) => runner.RunAsync(context.Message, ContactUse.Optional, async _ =>
    {
        var m = context.Message;
        var errors = new Dictionary<string, string[]>();
        var parsed = RequestLimits.Check<DealRequest>(m.Changes, errors) ? DealFields.Parse(m.Changes, errors) : null;
        if (parsed?.PipelineId is not null)
            errors["pipeline_id"] = ["a deal stays in its pipeline"];
        if (errors.Count > 0 || parsed is null)
            throw Invalid(errors);
        return (await book.ChangeAsync(m.DealId, parsed.Changes, Source, m.RequestedBy, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<MoveDealStage> context) => runner.RunAsync(context.Message, ContactUse.Optional, async _ =>
    {
        var m = context.Message;
        if (string.IsNullOrWhiteSpace(m.Stage))
            throw new InvalidCommandException("stage is required.");
        return (await book.MoveAsync(m.DealId, m.Stage.Trim(), Source, m.RequestedBy, context.CancellationToken)).Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<MergeContacts> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var m = context.Message;
        var errors = ContactMerger.Validate(m.Fields is null ? null : JsonSerializer.SerializeToElement(m.Fields), out var choices);
        if (errors.Count > 0)
            throw Invalid(errors);
        return (await merger.MergeAsync(contact!.Id, m.DuplicateId, choices, m.RequestedBy, context.CancellationToken)).Contact.Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<RecalculateScore> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var ct = context.CancellationToken;
        var before = contact!.Copy();
        await merges.RecomputeEngagementAsync(contact.Id, ct);
        var now = await contacts.GetAsync(contact.Id, ct) ?? throw new InvalidOperationException("The contact vanished while it was scored.");
        if (context.Message.AddPoints is { } points)
        {
            now.Score = (int)Math.Clamp((long)now.Score + points, int.MinValue, int.MaxValue);
            await contacts.UpdateAsync(now, ct);
        }

        var changed = now.ChangedSince(before);
        if (now.AiScore != before.AiScore)
            changed.Add("ai_score");
        if (changed.Count > 0)
            await publish.Publish(new ContactUpdated(contacts.TenantId, now.ToSnapshot(), changed, clock.GetUtcNow()), ct);
        return now.Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<SetMarketingConsent> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
        (await directory.PatchAsync(contact!.Id, new ContactFields { MarketingConsent = new Optional<bool?>(context.Message.Consent) },
            context.CancellationToken)).Id, context.CancellationToken);

    public Task Consume(ConsumeContext<UpdateTask> context) => runner.RunAsync(context.Message, ContactUse.Optional, async _ =>
    {
        var m = context.Message;
        var ct = context.CancellationToken;
        if (m.Changes.ValueKind != JsonValueKind.Object)
            throw new InvalidCommandException("changes must be an object.");
        // status is the command's own: completing or reopening goes the way the API's complete / reopen go (TaskCompleted).
        var fields = JsonObject.Create(m.Changes)!;
        var status = fields["status"]?.GetValueKind() == JsonValueKind.String ? fields["status"]!.GetValue<string>() : null;
        if (fields.ContainsKey("status") && status is not ("completed" or "open"))
            throw new InvalidCommandException("status is completed or open.");
        fields.Remove("status");
        var now = clock.GetUtcNow().UtcDateTime;
        if (fields.Count == 0 && status is null)
            throw new InvalidCommandException("changes name nothing to change.");
        if (fields.Count > 0)
        {
            var errors = new Dictionary<string, string[]>();
            var changes = TasksApi.ReadChanges(JsonSerializer.SerializeToElement(fields), json.Value.SerializerOptions, errors) ?? throw Invalid(errors);
            await TasksApi.ChangeAsync(m.TaskId, changes, tasks, now, ct);
        }

        if (status is not null)
            await TasksApi.SetStatusAsync(m.TaskId, status, m.RequestedBy, tasks, publish, contacts.TenantId, now, ct);
        return m.TaskId;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<RecordActivity> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var m = context.Message;
        var input = new ActivityFeed.Input(m.Type?.Trim(), null, contact!.Id, m.Metadata, m.OccurredAt);
        var errors = ActivityFeed.Validate([input], batch: false);
        if (input.Type is { Length: > LeadsDefaults.MaxActivityType })
            errors["type"] = [$"up to {LeadsDefaults.MaxActivityType} characters"];
        if (errors.Count > 0)
            throw Invalid(errors);
        return (await feed.RecordAsync([input], context.CancellationToken)).Single().Activity.Id;
    }, context.CancellationToken);

    public Task Consume(ConsumeContext<PredictNextState> context) => runner.RunAsync(context.Message, ContactUse.Required, async contact =>
    {
        var m = context.Message;
        var (p, cached) = await predictions.PredictAsync(contact!.Id, context.CancellationToken);
        var predicted = p.Probabilities.FirstOrDefault(x => x.StateId == p.PredictedStateId);
        await publish.Publish(new NextStatePredicted(contacts.TenantId, m.CommandId, contact.Id, m.RequestedBy, p.Id, p.FromState, p.PredictedStateId,
            p.PredictedState, predicted?.Probability ?? 0, p.Confidence,
            p.Probabilities.Select(x => new PredictedStateProbability(x.StateId, x.State, x.Probability, x.Observed)).ToList(), p.Model, cached,
            clock.GetUtcNow()), context.CancellationToken);
        return p.Id;
    }, context.CancellationToken);

    static string Tag(string? tag)
    {
        var normalized = ContactFields.NormalizeTag(tag);
        return ContactFields.IsValidTag(normalized) ? normalized! : throw new InvalidCommandException("tag: lower-case letters, digits, _ - : . ; up to 64.");
    }

    static InvalidCommandException Invalid(Dictionary<string, string[]> errors) =>
        new(string.Join("; ", errors.Select(e => $"{e.Key}: {string.Join(", ", e.Value)}")));
}
