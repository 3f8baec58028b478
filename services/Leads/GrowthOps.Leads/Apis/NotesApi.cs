using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// Notes on contacts and deals. A note on a contact is also a <c>note.added</c> activity in its feed (its text, up to 500
/// characters, in the metadata), so timelines, segments and automations see it.
/// </summary>
public static class NotesApi
{
    public const string ActivityType = "note.added";
    const int Snippet = 500;

    public static IHostApplicationBuilder AddNotes(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<NotesStore>();
        return builder;
    }

    public static RouteGroupBuilder MapNotesApi(this RouteGroupBuilder api)
    {
        var notes = api.MapGroup("/notes").WithTags("Notes");
        notes.MapPost("/", Create).WithIdempotency();
        notes.MapGet("/", List);
        notes.MapDelete("/{id:guid}", Delete);
        return api;
    }

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "An unknown contact or deal.")]
    static async Task<Results<Created<NoteDto>, ValidationProblem>> Create(NoteRequest request, ClaimsPrincipal user, LeadsTransaction tx, NotesStore notes,
        ContactsStore contacts, DealsStore deals, ActivityFeed feed, TimeProvider clock, CancellationToken ct)
    {
        if (string.IsNullOrWhiteSpace(request.Body))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["body"] = ["required"] });
        if (request.ContactId is null && request.DealId is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["contact_id"] = ["a note is on a contact, a deal or both"] });
        var note = await tx.RunAsync(() => AddAsync(request.Body, request.ContactId, request.DealId, TasksApi.UserOf(user), notes, contacts, deals, feed,
            clock, ct), ct);
        return TypedResults.Created($"/api/leads/notes/{note.Id}", NoteDto.From(note));
    }

    /// <summary>Adds a note in the caller's transaction (the API's and the <c>AddNote</c> command's).</summary>
    public static async Task<Note> AddAsync(string body, Guid? contactId, Guid? dealId, string? author, NotesStore notes, ContactsStore contacts,
        DealsStore deals, ActivityFeed feed, TimeProvider clock, CancellationToken ct)
    {
        if (contactId is { } c && await contacts.GetAsync(c, ct) is null)
            throw new RuleRefusedException($"No contact {c}.", new Dictionary<string, object?> { ["field"] = "contact_id" });
        if (dealId is { } d && await deals.GetAsync(d, ct) is null)
            throw new RuleRefusedException($"No deal {d}.", new Dictionary<string, object?> { ["field"] = "deal_id" });
        var now = clock.GetUtcNow().UtcDateTime;
        var note = new Note(Guid.CreateVersion7(), contactId, dealId, body.Trim(), author, now, now);
        await notes.InsertAsync(note, ct);
        if (contactId is not null)
        {
            var metadata = JsonSerializer.SerializeToElement(new Dictionary<string, object?>
            {
                ["note_id"] = note.Id, ["deal_id"] = dealId, ["author_id"] = author, ["text"] = note.Body.Length > Snippet ? note.Body[..Snippet] : note.Body,
            });
            await feed.RecordAsync([new ActivityFeed.Input(ActivityType, null, contactId, metadata, new DateTimeOffset(now, TimeSpan.Zero))], ct);
        }
        return note;
    }

    /// <summary>The notes of a contact or a deal, newest first.</summary>
    static async Task<Results<Ok<IReadOnlyList<NoteDto>>, ValidationProblem>> List(Guid? contactId, Guid? dealId, int? limit, LeadsTransaction tx,
        NotesStore notes, CancellationToken ct)
    {
        if (contactId is null && dealId is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["contact_id"] = ["contact_id or deal_id"] });
        if (limit is < 1 or > 200)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["1 to 200"] });
        var list = await tx.RunAsync(() => notes.ListAsync(contactId, dealId, limit ?? 50, ct), ct);
        return TypedResults.Ok<IReadOnlyList<NoteDto>>(list.Select(NoteDto.From).ToList());
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<NoContent, NotFound>> Delete(Guid id, LeadsTransaction tx, NotesStore notes, CancellationToken ct) =>
        await tx.RunAsync(() => notes.DeleteAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();
}
