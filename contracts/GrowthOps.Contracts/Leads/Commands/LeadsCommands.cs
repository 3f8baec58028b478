using System.Text.Json;

namespace GrowthOps.Contracts.Leads.Commands;

/// <summary>
/// What every command to Leads carries: the tenant; <see cref="CommandId"/>, the sender's id for it (applied once per id,
/// however often it is delivered; the outcome events carry it back); the contact, by id (a merged duplicate's id reaches the
/// survivor) or by email; and who asked (<c>workflow:&lt;id&gt;:run:&lt;id&gt;</c>, <c>sequence:&lt;id&gt;</c>, <c>email:unsubscribe</c>).
/// Leads answers each with <see cref="LeadsCommandApplied"/> or <see cref="LeadsCommandFailed"/>.
/// </summary>
public interface ILeadsCommand
{
    Guid TenantId { get; }
    Guid CommandId { get; }
    Guid? ContactId { get; }
    string? ContactEmail { get; }
    string RequestedBy { get; }
    DateTimeOffset OccurredAt { get; }
}

public record AddTag(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, string Tag, DateTimeOffset OccurredAt)
    : ILeadsCommand;

public record RemoveTag(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, string Tag, DateTimeOffset OccurredAt)
    : ILeadsCommand;

/// <summary>Contact fields as <c>PATCH /api/leads/contacts/{id}</c> takes them (<c>first_name</c>, <c>attributes</c> merged key by key…).</summary>
public record UpdateContactField(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy,
    IReadOnlyDictionary<string, JsonElement> Fields, DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Through the same allowed transitions and history as the API, with source <c>automation</c>. Already in the state: applied, nothing changes.</summary>
public record ChangeLeadState(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, string ToState, string? Notes,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>The contact's owner, or the deal's when <see cref="DealId"/> is given: <see cref="OwnerId"/>, or the next active owner of <see cref="Group"/>.</summary>
public record AssignOwner(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid? DealId, string? OwnerId,
    string? Group, DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>A task on the contact and/or <see cref="DealId"/>; <see cref="Priority"/> low, normal, high or urgent.</summary>
public record CreateTask(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid? DealId, string Title,
    string? Description, DateTimeOffset? DueAt, string? AssigneeId, string? Priority, DateTimeOffset OccurredAt) : ILeadsCommand;

public record CompleteTask(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid TaskId, DateTimeOffset OccurredAt)
    : ILeadsCommand;

/// <summary>A note on the contact (in its activity feed) and/or <see cref="DealId"/>.</summary>
public record AddNote(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid? DealId, string Body,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>A deal with the fields <c>POST /api/leads/deals</c> takes (<see cref="Deal"/>); the command's contact, if any, is one of its contacts.</summary>
public record CreateDeal(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, JsonElement Deal,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Changes as <c>PATCH /api/leads/deals/{id}</c> takes them.</summary>
public record UpdateDeal(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid DealId, JsonElement Changes,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>To a stage of the deal's pipeline (key, name or id); <c>DealStageChanged</c>, and <c>DealWon</c>/<c>DealLost</c> on a closing stage.</summary>
public record MoveDealStage(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid DealId, string Stage,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Merges <see cref="DuplicateId"/> into the command's contact (the survivor); <see cref="Fields"/> as the merge API's <c>fields</c>.</summary>
public record MergeContacts(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid DuplicateId,
    IReadOnlyDictionary<string, string>? Fields, DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Recomputes the contact's engagement and AI score from its activities; <see cref="AddPoints"/> also moves its manual score.</summary>
public record RecalculateScore(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, int? AddPoints,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Sets the contact's marketing consent (Email's unsubscribes, a preference centre); <see cref="Source"/> is recorded.</summary>
public record SetMarketingConsent(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, bool Consent,
    string? Source, DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>
/// Changes a task as <c>PATCH /api/leads/tasks/{id}</c> takes them (title, description, due_at or due_local + timezone, assignee_id,
/// priority), and <c>status</c> <c>completed</c> or <c>open</c> completes or reopens it.
/// </summary>
public record UpdateTask(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, Guid TaskId, JsonElement Changes,
    DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>Records an activity of <see cref="Type"/> on the contact, as <c>POST /api/leads/activities</c> does (the seeds' <c>trackEvent</c>).</summary>
public record RecordActivity(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, string Type,
    JsonElement? Metadata, DateTimeOffset OccurredAt) : ILeadsCommand;

/// <summary>
/// Predicts the contact's next lead state (<c>POST /api/leads/contacts/{id}/predictions</c>); answered with
/// <see cref="NextStatePredicted"/> and <see cref="LeadsCommandApplied"/> (the prediction's id), or <see cref="LeadsCommandFailed"/>
/// (<c>refused</c>: the contact has no state, or no transition leads out of it).
/// </summary>
public record PredictNextState(Guid TenantId, Guid CommandId, Guid? ContactId, string? ContactEmail, string RequestedBy, DateTimeOffset OccurredAt)
    : ILeadsCommand;

/// <summary>One possible next state and its probability.</summary>
public record PredictedStateProbability(Guid StateId, string State, double Probability, int Observed);

/// <summary>The answer to <see cref="PredictNextState"/>: the most likely next state, every allowed one with its probability, and the model's confidence.</summary>
public record NextStatePredicted(Guid TenantId, Guid CommandId, Guid ContactId, string RequestedBy, Guid PredictionId, string? FromState,
    Guid PredictedStateId, string? PredictedState, double Probability, double Confidence, IReadOnlyList<PredictedStateProbability> Probabilities,
    string Model, bool Cached, DateTimeOffset OccurredAt);

/// <summary>The command applied (or was already so); <see cref="ObjectId"/> is what it created or changed (the task, the deal, the survivor).</summary>
public record LeadsCommandApplied(Guid TenantId, Guid CommandId, string Command, Guid? ContactId, string RequestedBy, Guid? ObjectId,
    DateTimeOffset OccurredAt);

/// <summary>
/// The command could not apply and will not be tried again: <see cref="Reason"/> is <c>contact_not_found</c>, <c>not_found</c>,
/// <c>conflict</c>, <c>refused</c> (a rule: a transition not allowed, a limit) or <c>invalid</c>; <see cref="Detail"/> says why
/// in words, <see cref="Status"/> is what the API would have answered.
/// </summary>
public record LeadsCommandFailed(Guid TenantId, Guid CommandId, string Command, Guid? ContactId, string? ContactEmail, string RequestedBy, string Reason,
    string Detail, int Status, DateTimeOffset OccurredAt);
