using System.ComponentModel;
using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>Identity stitching: merging a duplicate contact into a survivor, tombstones, and the duplicate finder.</summary>
public static class MergeApi
{
    public static IHostApplicationBuilder AddMerges(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<MergesStore>();
        builder.Services.AddScoped<ContactMerger>();
        builder.Services.AddScoped<CommandLogStore>();
        builder.Services.AddScoped<GrowthOps.Leads.Domain.Commands.CommandRunner>();
        return builder;
    }

    public static RouteGroupBuilder MapMergeApi(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapPost("/{id:guid}/merge", Merge).WithIdempotency();
        contacts.MapGet("/duplicates", Duplicates);
        return api;
    }

    public sealed record MergeRequest(
        [property: Description("The contact merged into this one; it becomes a tombstone pointing here.")] Guid? DuplicateId,
        [property: Description("Field → \"survivor\" or \"duplicate\", overriding the rule for that field (email, first_name, last_name, phone, company, source, channel, owner_id, timezone, kind, marketing_consent, attributes).")]
        [property: JsonLimits(MaxProperties = 16, MaxKeyLength = 64, MaxDepth = 2, MaxBytes = 2048)]
        JsonElement? Fields = null);

    public sealed record MergeResult(
        ContactDto Contact,
        Guid DuplicateId,
        [property: Description("True when the duplicate had already been merged into this contact: nothing changed.")] bool AlreadyMerged,
        DateTime MergedAt,
        [property: Description("How many of the duplicate's rows now belong to the survivor.")] MergesStore.Moved Moved,
        [property: Description("For each field the two contacts disagreed on, whose value the survivor kept (\"survivor\" or \"duplicate\").")]
        IReadOnlyDictionary<string, string> Fields);

    [ProducesProblem(StatusCodes.Status404NotFound, "Either contact does not exist.")]
    [ProducesProblem(StatusCodes.Status409Conflict, "The duplicate was already merged into another contact, or this contact was itself merged (survivor_id).")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A contact cannot be merged into itself.")]
    static async Task<Results<Ok<MergeResult>, ValidationProblem>> Merge(Guid id, MergeRequest request, ClaimsPrincipal user, LeadsTransaction tx,
        ContactMerger merger, CancellationToken ct)
    {
        if (RequestLimits.Errors(request) is { Count: > 0 } tooLarge)
            return TypedResults.ValidationProblem(tooLarge);
        var errors = ContactMerger.Validate(request.Fields, out var choices);
        if (request.DuplicateId is null)
            errors["duplicate_id"] = ["required: the contact to merge into this one"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var result = await tx.RunAsync(() => merger.MergeAsync(id, request.DuplicateId!.Value, choices, TasksApi.UserOf(user), ct), ct);
        return TypedResults.Ok(ToResult(result));
    }

    public static MergeResult ToResult(ContactMerger.Result r) =>
        new(ContactDto.From(r.Contact), r.DuplicateId, r.AlreadyMerged, r.MergedAt, r.Moved, r.Choices);

    public sealed record DuplicateGroup(
        [property: Description("email (same address once case, +tags and Gmail dots are ignored), phone (same last ten digits) or name_company.")]
        string Reason,
        string Key,
        [property: Description("Oldest first: the usual survivor.")] IReadOnlyList<ContactDto> Contacts);

    public sealed record DuplicatesResult(IReadOnlyList<DuplicateGroup> Groups);

    /// <summary>Contacts that look like the same person, in groups, newest first; with contact_id only the groups it is in.</summary>
    static async Task<Results<Ok<DuplicatesResult>, ValidationProblem>> Duplicates(Guid? contactId,
        [Description("Groups at most (1–200, default 50).")] int? limit, LeadsTransaction tx, MergesStore merges, ContactsStore contacts, CancellationToken ct)
    {
        if (limit is < 1 or > 200)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["limit"] = ["1 to 200"] });
        var groups = await tx.RunAsync(async () =>
        {
            var candidates = await merges.FindDuplicatesAsync(contactId, limit ?? 50, ct);
            var byId = (await contacts.GetManyAsync(candidates.Select(c => c.ContactId).Distinct().ToList(), ct)).ToDictionary(c => c.Id);
            return candidates.GroupBy(c => (c.Reason, c.Key))
                .Select(g => new DuplicateGroup(g.Key.Reason, g.Key.Key,
                    g.Where(c => byId.ContainsKey(c.ContactId)).Select(c => ContactDto.From(byId[c.ContactId])).ToList()))
                .ToList();
        }, ct);
        return TypedResults.Ok(new DuplicatesResult(groups));
    }

    /// <summary>
    /// The answer for a merged duplicate's id: 301 to the survivor, as problem+json naming it (<c>survivor_id</c>), so a client
    /// that follows redirects reads the survivor and one that does not learns where it went.
    /// </summary>
    public static async Task<MovedToSurvivor?> TombstoneAsync(Guid id, string? suffix, LeadsTransaction tx, MergesStore merges, CancellationToken ct) =>
        await tx.RunAsync(() => merges.GetTombstoneAsync(id, ct), ct) is { } tombstone
            ? new MovedToSurvivor(tombstone, $"/api/leads/contacts/{tombstone.SurvivorId}{suffix}")
            : null;

    public sealed class MovedToSurvivor(MergesStore.Tombstone tombstone, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            return TypedResults.Problem(
                title: "Contact merged",
                detail: $"Contact {tombstone.DuplicateId} was merged into {tombstone.SurvivorId} at {tombstone.MergedAt:O}.",
                statusCode: StatusCodes.Status301MovedPermanently,
                extensions: new Dictionary<string, object?>
                {
                    ["survivor_id"] = tombstone.SurvivorId, ["merged_at"] = tombstone.MergedAt, ["merged_by"] = tombstone.MergedBy,
                }).ExecuteAsync(httpContext);
        }
    }
}
