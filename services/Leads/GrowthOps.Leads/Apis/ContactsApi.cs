using System.ComponentModel;
using System.ComponentModel.DataAnnotations;
using System.Text.Json;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using static GrowthOps.Leads.LeadsDefaults;

namespace GrowthOps.Leads.Apis;

/// <summary>The directory: contacts (leads and customers), their tags and the activity feed.</summary>
public static class ContactsApi
{
    public static IHostApplicationBuilder AddContacts(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ContactsStore>();
        builder.Services.AddScoped<ActivitiesStore>();
        builder.Services.AddScoped<ContactDirectory>();
        builder.Services.AddScoped<ActivityFeed>();
        // The largest batch is configuration, not a constant an attribute could carry: the document shows the configured one.
        builder.Services.Configure<OpenApiOptions>(OpenApiDefaults.DocumentName, o => o.AddSchemaTransformer((schema, context, _) =>
        {
            if (context.JsonPropertyInfo is { Name: "activities" } property && property.DeclaringType == typeof(ActivityBatchRequest))
                schema.MaxItems = context.ApplicationServices.GetRequiredService<IOptions<LeadsOptions>>().Value.MaxActivityBatch;
            return Task.CompletedTask;
        }));
        return builder;
    }

    public static RouteGroupBuilder MapContactsApi(this RouteGroupBuilder api)
    {
        var contacts = api.MapGroup("/contacts").WithTags("Contacts");
        contacts.MapPost("/", CreateContact).WithIdempotency();
        contacts.MapGet("/", ListContacts);
        contacts.MapGet("/{id:guid}", GetContact);
        contacts.MapPatch("/{id:guid}", PatchContact);
        contacts.MapDelete("/{id:guid}", DeleteContact);
        contacts.MapPost("/{id:guid}/tags/{tag}", AddTag);
        contacts.MapDelete("/{id:guid}/tags/{tag}", RemoveTag);
        contacts.MapGet("/{id:guid}/activities", ContactActivities);

        var activities = api.MapGroup("/activities").WithTags("Activities");
        activities.MapPost("/", RecordActivity).WithIdempotency();
        activities.MapPost("/batch", RecordActivities).WithMetadata(new RequestSizeLimitAttribute(LeadsDefaults.BatchBodyLimit))
            .WithIdempotency();
        activities.MapGet("/", ActivityFeedList);
        return api;
    }

    [Consumes(typeof(ContactRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "Merged into the contact with the email, its tags or attributes would pass a contact's limits (field, limit).")]
    public static async Task<Results<Created<ContactDto>, Ok<ContactDto>, ValidationProblem>> CreateContact(JsonElement body,
        LeadsTransaction tx, ContactDirectory directory, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = ContactFields.Parse(body, errors);
        if (errors.Count == 0)
            fields.RequireIdentity(errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var result = await tx.RunAsync(() => directory.UpsertAsync(fields, ct), ct);
        var dto = ContactDto.From(result.Contact);
        return result.Created ? TypedResults.Created($"/api/leads/contacts/{dto.Id}", dto) : TypedResults.Ok(dto);
    }

    static async Task<Ok<Page<ContactDto>>> ListContacts([AsParameters] ContactsQuery query, [AsParameters] PageRequest page, LeadsTransaction tx,
        ContactsStore store, CancellationToken ct)
    {
        var filter = new ContactsStore.ListFilter(query.State, ContactFields.NormalizeTag(query.Tag), query.Kind, query.Q, query.CreatedFrom?.UtcDateTime,
            query.CreatedTo?.UtcDateTime, query.InteractionFrom?.UtcDateTime, query.InteractionTo?.UtcDateTime);
        return TypedResults.Ok((await tx.RunAsync(() => store.ListAsync(filter, page, ct), ct)).Select(ContactDto.From));
    }

    [ProducesProblem(StatusCodes.Status301MovedPermanently, "The contact was merged into another (survivor_id; Location names it).")]
    static async Task<Results<Ok<ContactDto>, NotFound, MergeApi.MovedToSurvivor>> GetContact(Guid id, LeadsTransaction tx, ContactsStore store, MergesStore merges,
        CancellationToken ct) =>
        await tx.RunAsync(() => store.GetAsync(id, ct), ct) is { } contact
            ? TypedResults.Ok(ContactDto.From(contact))
            : await MergeApi.TombstoneAsync(id, null, tx, merges, ct) is { } moved ? moved : TypedResults.NotFound();

    [Consumes(typeof(ContactRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "Another contact has the email.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "Its attributes would pass a contact's limits, or it would have neither email nor phone (field, limit).")]
    static async Task<Results<Ok<ContactDto>, ValidationProblem>> PatchContact(Guid id, JsonElement body, LeadsTransaction tx,
        ContactDirectory directory, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var fields = ContactFields.Parse(body, errors);
        if (fields.Kind is { HasValue: true, Value: null })
            errors["kind"] = ["cannot be cleared"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(ContactDto.From(await tx.RunAsync(() => directory.PatchAsync(id, fields, ct), ct)));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<NoContent> DeleteContact(Guid id, LeadsTransaction tx, ContactDirectory directory, CancellationToken ct)
    {
        await tx.RunAsync(() => directory.DeleteAsync(id, ct), ct);
        return TypedResults.NoContent();
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The contact has the most tags a contact may have (field, limit).")]
    static async Task<Results<Ok<ContactDto>, ValidationProblem>> AddTag(Guid id, string tag, LeadsTransaction tx, ContactDirectory directory,
        CancellationToken ct)
    {
        tag = ContactFields.NormalizeTag(tag)!;
        if (!ContactFields.IsValidTag(tag))
            return InvalidTag();
        return TypedResults.Ok(ContactDto.From(await tx.RunAsync(() => directory.AddTagAsync(id, tag, ct), ct)));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<Ok<ContactDto>, ValidationProblem>> RemoveTag(Guid id, string tag, LeadsTransaction tx, ContactDirectory directory,
        CancellationToken ct)
    {
        // Checked like AddTag's: a value no tag can have (a dot segment spelt any way, 2,000 characters) is the client's mistake.
        tag = ContactFields.NormalizeTag(tag)!;
        if (!ContactFields.IsValidTag(tag))
            return InvalidTag();
        return TypedResults.Ok(ContactDto.From(await tx.RunAsync(() => directory.RemoveTagAsync(id, tag, ct), ct)));
    }

    static ValidationProblem InvalidTag() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["tag"] = ["lower-case letters, digits, _ - : . ; up to 64"] });

    // Members with a default are optional on the wire, the others required (the OpenAPI document says so). The attributes are
    // the fields' limits (RequestLimits checks them; the document shows them).
    public sealed record ActivityRequest(
        [property: MaxLength(MaxActivityType)] string? Type,
        [property: MaxLength(EmailAddress.MaxLength)] string? ContactEmail = null,
        Guid? ContactId = null,
        [property: JsonLimits(MaxProperties = MaxMetadataProperties, MaxKeyLength = MaxMemberName, MaxDepth = MaxJsonDepth, MaxBytes = MaxMetadataBytes)]
        JsonElement? Metadata = null,
        DateTimeOffset? OccurredAt = null);

    public sealed record ActivityBatchRequest(List<ActivityRequest>? Activities);

    public sealed record RecordedActivity(Guid Id, Guid ContactId, string? ContactEmail, string Type, DateTime OccurredAt, bool ContactCreated);

    public sealed record BatchResult(int Recorded, int ContactsCreated, IReadOnlyList<RecordedActivity> Activities);

    static ActivityFeed.Input ToInput(ActivityRequest r) => new(r.Type, r.ContactEmail, r.ContactId, r.Metadata, r.OccurredAt);

    static RecordedActivity ToRecorded(ActivityFeed.Recorded r) =>
        new(r.Activity.Id, r.Activity.ContactId, r.ContactEmail, r.Activity.Type, r.Activity.OccurredAt, r.ContactCreated);

    [ProducesProblem(StatusCodes.Status404NotFound, "contact_id names no contact.")]
    public static async Task<Results<Created<RecordedActivity>, ValidationProblem>> RecordActivity(ActivityRequest request, LeadsTransaction tx,
        ActivityFeed feed, CancellationToken ct)
    {
        if (RequestLimits.Errors(request) is { Count: > 0 } tooLarge)
            return TypedResults.ValidationProblem(tooLarge);
        var inputs = new[] { ToInput(request) };
        if (ActivityFeed.Validate(inputs, batch: false) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var recorded = await tx.RunAsync(() => feed.RecordAsync(inputs, ct), ct);
        return TypedResults.Created($"/api/leads/contacts/{recorded[0].Activity.ContactId}/activities", ToRecorded(recorded[0]));
    }

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "Some activities name contacts that do not exist (listed in missing: index, contact_id); nothing was recorded.")]
    static async Task<Results<Created<BatchResult>, ValidationProblem>> RecordActivities(ActivityBatchRequest request, LeadsTransaction tx,
        ActivityFeed feed, IOptions<LeadsOptions> options, CancellationToken ct)
    {
        var requested = request.Activities ?? [];
        if (requested.Count == 0 || requested.Count > options.Value.MaxActivityBatch)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["activities"] = [$"must hold between 1 and {options.Value.MaxActivityBatch} activities"],
            });
        if (requested.FindIndex(a => a is null) is var missing and >= 0)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { [$"activities[{missing}]"] = ["must be an activity object, not null"] });
        if (RequestLimits.Errors(request) is { Count: > 0 } tooLarge)
            return TypedResults.ValidationProblem(tooLarge);
        var inputs = requested.Select(ToInput).ToList();
        if (ActivityFeed.Validate(inputs, batch: true) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var recorded = await tx.RunAsync(() => feed.RecordAsync(inputs, ct), ct);
        return TypedResults.Created("/api/leads/activities",
            new BatchResult(recorded.Count, recorded.Where(r => r.ContactCreated).Select(r => r.Activity.ContactId).Distinct().Count(),
                recorded.Select(ToRecorded).ToList()));
    }

    [ProducesProblem(StatusCodes.Status301MovedPermanently, "The contact was merged into another (survivor_id; Location names the survivor's activities).")]
    static async Task<Results<Ok<Page<ActivityDto>>, NotFound, MergeApi.MovedToSurvivor>> ContactActivities(Guid id,
        [Description("Activity types, comma-separated.")] string? type, [AsParameters] PageRequest page, LeadsTransaction tx, ContactsStore contacts,
        ActivitiesStore activities, MergesStore merges, CancellationToken ct)
    {
        var found = await tx.RunAsync(async () => await contacts.GetAsync(id, ct) is null
            ? null
            : await activities.ListAsync(id, Types(type), null, null, page, ct), ct);
        if (found is not null)
            return TypedResults.Ok(found.Select(ActivityDto.From));
        return await MergeApi.TombstoneAsync(id, "/activities", tx, merges, ct) is { } moved ? moved : TypedResults.NotFound();
    }

    static async Task<Ok<Page<ActivityDto>>> ActivityFeedList([AsParameters] ActivitiesQuery query, [AsParameters] PageRequest page, LeadsTransaction tx,
        ActivitiesStore activities, CancellationToken ct) =>
        TypedResults.Ok((await tx.RunAsync(() => activities.ListAsync(query.ContactId, Types(query.Type), query.From?.UtcDateTime, query.To?.UtcDateTime,
            page, ct), ct)).Select(ActivityDto.From));

    static string[]? Types(string? type) => type?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
