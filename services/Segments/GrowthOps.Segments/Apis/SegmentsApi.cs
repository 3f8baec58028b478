using System.Security.Claims;
using System.Text.Json;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.ReadModel;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Segments.Apis;

/// <summary>Segments (D21): CRUD, archive, duplicate, members (dynamic and static), member_segments, evaluate, refresh.</summary>
public static class SegmentsApi
{
    public const int MaxName = 200;
    public const int MaxDescription = 2000;
    public const int MaxBulk = 1000;
    const int MaxCopies = 100;

    public sealed record RefreshResult(Guid SegmentId, int Added, int Removed, long DurationMs, int MemberCount);

    public sealed record MembersChange(int Added, int Removed, IReadOnlyList<Guid> ContactIds, int NotFound);

    public sealed record Evaluation(bool Matched, CriteriaExplanation Explanation);

    public sealed record ContactSegments(Guid ContactId, IReadOnlyList<MemberSegment> MemberSegments);

    public static IHostApplicationBuilder AddSegmentsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<SegmentCache>();
        builder.Services.AddScoped<SegmentsStore>();
        builder.Services.AddScoped<MembersStore>();
        builder.Services.AddScoped<SegmentMembership>();
        builder.Services.AddScoped<IContactChangeObserver, SegmentMembershipObserver>();
        return builder;
    }

    public static RouteGroupBuilder MapSegmentsApi(this RouteGroupBuilder api)
    {
        var segments = api.MapGroup("/segments").WithTags("Segments");
        segments.MapGet("/", List);
        segments.MapPost("/", Create).WithIdempotency();
        segments.MapGet("/{id:guid}", Get);
        segments.MapPatch("/{id:guid}", Update);
        segments.MapDelete("/{id:guid}", Delete);
        segments.MapPost("/{id:guid}/archive", Archive);
        segments.MapPost("/{id:guid}/unarchive", Unarchive);
        segments.MapPost("/{id:guid}/duplicate", Duplicate).WithIdempotency();
        segments.MapPost("/{id:guid}/refresh", Refresh);
        segments.MapGet("/{id:guid}/members", Members);
        segments.MapGet("/{id:guid}/members.csv", ExportMembers).Produces<Stream>(StatusCodes.Status200OK, MembersCsv.ContentType);
        segments.MapPost("/{id:guid}/members", AddMembers);
        segments.MapPost("/{id:guid}/members/remove", RemoveMembers);
        segments.MapDelete("/{id:guid}/members/{contactId:guid}", RemoveMember);
        api.MapGet("/contacts/{id:guid}/segments", SegmentsOfContact).WithTags("Segments");
        api.MapPost("/evaluate", Evaluate).WithTags("Segments");
        return api;
    }

    internal static async Task<Results<Ok<Page<Segment>>, ValidationProblem>> List([AsParameters] SegmentsQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, SegmentsStore store, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.Type is { } type && !SegmentKinds.Types.Contains(type))
            errors["type"] = [$"one of {string.Join(", ", SegmentKinds.Types)}"];
        if (query.Status is { } status && !SegmentKinds.Statuses.Contains(status))
            errors["status"] = [$"one of {string.Join(", ", SegmentKinds.Statuses)}"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(() => store.ListAsync(query.Type, query.Status, page, ct), ct));
    }

    [ProducesProblem(StatusCodes.Status409Conflict, "A segment with the name exists.")]
    internal static async Task<Results<Created<Segment>, ValidationProblem>> Create(SegmentRequest request, ClaimsPrincipal user, UnitOfWork unitOfWork,
        SegmentsStore store, SegmentMembership membership, CriteriaCompiler compiler, RulesStore rules, TimeProvider clock, CancellationToken ct)
    {
        (request, var ruleErrors) = await RulesApi.WithRuleCriteriaAsync(request, unitOfWork, rules, clock, ct);
        if (ruleErrors.Count > 0)
            return TypedResults.ValidationProblem(ruleErrors);
        var kind = request.Kind ?? SegmentKinds.Dynamic;
        if (Validate(request, compiler, kind, create: true) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow().UtcDateTime;
        var segment = new Segment(Guid.CreateVersion7(), request.Name!.Trim(), request.Description, request.Type ?? "behavioral", SegmentKinds.Active,
            kind, Criteria(request), Logic(request), request.AutoRefresh ?? true, request.RefreshIntervalHours ?? 24,
            request.UseAiRefinement ?? false, user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier), 0, null, null, now, now);
        var created = await unitOfWork.InTransactionAsync(() => CreateAsync(segment, store, membership, "created", ct), ct);
        return TypedResults.Created($"/api/segments/segments/{created.Id}", created);
    }

    static async Task<Segment> CreateAsync(Segment segment, SegmentsStore store, SegmentMembership membership, string reason, CancellationToken ct)
    {
        if (!await store.TryCreateAsync(segment, ct))
            throw new ConflictException($"A segment named '{segment.Name}' already exists.");
        membership.SegmentsChanged();
        if (segment.IsDynamic)
            await membership.RecomputeAsync(segment, reason, ct);
        return (await store.GetAsync(segment.Id, ct))!;
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<Segment>> Get(Guid id, UnitOfWork unitOfWork, SegmentsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => Find(store, id, ct), ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "A segment with the name exists.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "Criteria were given for a static segment.")]
    internal static async Task<Results<Ok<Segment>, ValidationProblem>> Update(Guid id, SegmentRequest request, UnitOfWork unitOfWork, SegmentsStore store,
        SegmentMembership membership, CriteriaCompiler compiler, TimeProvider clock, CancellationToken ct)
    {
        if (Validate(request, compiler, kind: null, create: false) is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        if (request.CriteriaLogic is not null && request.Criteria is null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["criteria_logic"] = ["give it together with criteria"] });
        if (request.Kind is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["kind"] = ["cannot change; duplicate the segment instead"] });
        if (request.RuleIds is not null)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["rule_ids"] = ["only when creating; give criteria to change them"] });
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await Find(store, id, ct);
            var criteriaChanged = request.Criteria is not null;
            if (criteriaChanged && !segment.IsDynamic)
                throw new RuleRefusedException("A static segment has no criteria: its members are added by hand.");
            var updated = segment with
            {
                Name = request.Name?.Trim() ?? segment.Name, Description = request.Description ?? segment.Description, Type = request.Type ?? segment.Type,
                Criteria = request.Criteria ?? segment.Criteria,
                CriteriaLogic = criteriaChanged ? Logic(request) : segment.CriteriaLogic,
                AutoRefresh = request.AutoRefresh ?? segment.AutoRefresh, RefreshIntervalHours = request.RefreshIntervalHours ?? segment.RefreshIntervalHours,
                UseAiRefinement = request.UseAiRefinement ?? segment.UseAiRefinement, UpdatedAt = clock.GetUtcNow().UtcDateTime,
            };
            if (!await store.TryUpdateAsync(updated, ct))
                throw new ConflictException($"A segment named '{updated.Name}' already exists.");
            membership.SegmentsChanged();
            if (criteriaChanged && updated.Status == SegmentKinds.Active)
                await membership.RecomputeAsync(updated, "criteria_changed", ct);
            return (await store.GetAsync(id, ct))!;
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<NoContent> Delete(Guid id, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership, CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            if (!await store.DeleteAsync(id, ct))
                throw new NotFoundException($"Segment {id} does not exist.");
            membership.SegmentsChanged();
            return true;
        }, ct);
        return TypedResults.NoContent();
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static Task<Ok<Segment>> Archive(Guid id, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership, TimeProvider clock,
        CancellationToken ct) => SetStatus(id, SegmentKinds.Archived, unitOfWork, store, membership, clock, ct);

    /// <summary>Back to active; a dynamic segment's members are recomputed, as they were frozen while archived.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    static Task<Ok<Segment>> Unarchive(Guid id, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership, TimeProvider clock,
        CancellationToken ct) => SetStatus(id, SegmentKinds.Active, unitOfWork, store, membership, clock, ct);

    static async Task<Ok<Segment>> SetStatus(Guid id, string status, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership,
        TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await Find(store, id, ct);
            if (segment.Status == status)
                return segment;
            var updated = segment with { Status = status, UpdatedAt = clock.GetUtcNow().UtcDateTime };
            await store.TryUpdateAsync(updated, ct);
            membership.SegmentsChanged();
            if (status == SegmentKinds.Active && updated.IsDynamic)
                await membership.RecomputeAsync(updated, "refresh", ct);
            return (await store.GetAsync(id, ct))!;
        }, ct));

    /// <summary>A copy named "… (copy)" (or "… (copy N)"), active; a static segment's members are copied too.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The segment has 100 copies already.")]
    static async Task<Created<Segment>> Duplicate(Guid id, ClaimsPrincipal user, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership,
        TimeProvider clock, CancellationToken ct)
    {
        var copy = await unitOfWork.InTransactionAsync(async () =>
        {
            var source = await Find(store, id, ct);
            var now = clock.GetUtcNow().UtcDateTime;
            for (var n = 1; n <= MaxCopies; n++)
            {
                // The suffix always fits, so every n gives a different name.
                var suffix = $" (copy{(n == 1 ? "" : $" {n}")})";
                var name = source.Name[..Math.Min(source.Name.Length, MaxName - suffix.Length)] + suffix;
                var segment = source with
                {
                    Id = Guid.CreateVersion7(), Name = name, Status = SegmentKinds.Active, MemberCount = 0, LastRefreshedAt = null, LastRefreshMs = null,
                    CreatedBy = user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier), CreatedAt = now, UpdatedAt = now,
                };
                if (!await store.TryCreateAsync(segment, ct))
                    continue;
                membership.SegmentsChanged();
                if (segment.IsDynamic)
                    await membership.RecomputeAsync(segment, "created", ct);
                else
                    await membership.AddStaticAsync(segment, await store.MemberIdsAsync(source.Id, ct), ct);
                return (await store.GetAsync(segment.Id, ct))!;
            }

            throw new ConflictException($"Segment '{source.Name}' has {MaxCopies} copies already; rename one.");
        }, ct);
        return TypedResults.Created($"/api/segments/segments/{copy.Id}", copy);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The segment is static or archived.")]
    internal static async Task<Ok<RefreshResult>> Refresh(Guid id, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await Find(store, id, ct);
            if (!segment.IsDynamic || segment.Status != SegmentKinds.Active)
                throw new RuleRefusedException("Only an active dynamic segment is refreshed: a static one's members are added by hand, an archived one's are frozen.");
            var pass = await membership.RecomputeAsync(segment, "refresh", ct);
            return new RefreshResult(id, pass.Added, pass.Removed, pass.DurationMs, pass.MemberCount);
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<Page<SegmentMember>>, ValidationProblem>> Members(Guid id, [AsParameters] MembersQuery query,
        [AsParameters] PageRequest page, UnitOfWork unitOfWork, SegmentsStore store, MembersStore members, CancellationToken ct)
    {
        if (query.Errors() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await Find(store, id, ct);
            return await members.ListAsync(id, query.ToFilter(), page, ct);
        }, ct));
    }

    /// <summary>The members the filters keep, as a CSV attachment streamed row by row from the database (see <see cref="MembersCsv"/>).</summary>
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<IResult> ExportMembers(Guid id, [AsParameters] MembersQuery query, UnitOfWork unitOfWork, SegmentsStore store,
        MembersStore members, CancellationToken ct)
    {
        if (query.Errors() is { Count: > 0 } errors)
            return TypedResults.ValidationProblem(errors);
        // Found before the first byte goes out: once streaming has begun the status is sent and cannot become a 404.
        await unitOfWork.InTransactionAsync(() => Find(store, id, ct), ct);
        return TypedResults.Stream(body => unitOfWork.InTransactionAsync(() => MembersCsv.WriteAsync(body, members.StreamAsync(id, query.ToFilter(), ct), ct), ct),
            MembersCsv.ContentType, $"segment-{id}-members.csv");
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The segment is dynamic: its criteria decide its members.")]
    internal static Task<Results<Ok<MembersChange>, ValidationProblem>> AddMembers(Guid id, MembersRequest request, UnitOfWork unitOfWork, SegmentsStore store,
        SegmentMembership membership, CancellationToken ct) => ChangeMembers(id, request, add: true, unitOfWork, store, membership, ct);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The segment is dynamic: its criteria decide its members.")]
    internal static Task<Results<Ok<MembersChange>, ValidationProblem>> RemoveMembers(Guid id, MembersRequest request, UnitOfWork unitOfWork, SegmentsStore store,
        SegmentMembership membership, CancellationToken ct) => ChangeMembers(id, request, add: false, unitOfWork, store, membership, ct);

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The segment is dynamic: its criteria decide its members.")]
    static async Task<NoContent> RemoveMember(Guid id, Guid contactId, UnitOfWork unitOfWork, SegmentsStore store, SegmentMembership membership,
        CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await StaticSegment(store, id, ct);
            if ((await membership.RemoveAsync(segment, [contactId], ct)).Exited.Count == 0)
                throw new NotFoundException($"Contact {contactId} is not a member of segment {id}.");
            return true;
        }, ct);
        return TypedResults.NoContent();
    }

    static async Task<Results<Ok<MembersChange>, ValidationProblem>> ChangeMembers(Guid id, MembersRequest request, bool add, UnitOfWork unitOfWork,
        SegmentsStore store, SegmentMembership membership, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        var ids = request.ContactIds ?? [];
        var emails = request.Emails ?? [];
        if (ids.Count + emails.Count == 0)
            errors["contact_ids"] = ["give contact_ids and/or emails"];
        if (emails.IndexOf(null!) is >= 0 and var at)
            errors[$"emails[{at}]"] = ["must be a string"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await StaticSegment(store, id, ct);
            var found = await store.ResolveContactsAsync(ids, emails, ct);
            var foundEmails = found.Where(f => f.Email is not null).Select(f => f.Email!).ToHashSet(StringComparer.OrdinalIgnoreCase);
            var notFound = ids.Distinct().Count(i => found.All(f => f.Id != i)) + emails.Distinct(StringComparer.OrdinalIgnoreCase).Count(e => !foundEmails.Contains(e));
            var contacts = found.Select(f => f.Id).Distinct().ToList();
            var diff = add ? await membership.AddStaticAsync(segment, contacts, ct) : await membership.RemoveAsync(segment, contacts, ct);
            return new MembersChange(diff.Entered.Count, diff.Exited.Count, contacts, notFound);
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<ContactSegments>> SegmentsOfContact(Guid id, UnitOfWork unitOfWork, SegmentsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            if (!await store.ContactExistsAsync(id, ct))
                throw new NotFoundException($"Contact {id} does not exist.");
            return new ContactSegments(id, await store.SegmentsOfAsync(id, ct));
        }, ct));

    /// <summary>Whether the contact matches, condition by condition; nothing is saved.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<Evaluation>, ValidationProblem>> Evaluate(EvaluateRequest request, UnitOfWork unitOfWork, SegmentsStore store,
        ContactFactsStore facts, CriteriaCompiler compiler, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.ContactId is null)
            errors["contact_id"] = ["required"];
        if ((request.SegmentId is null) == (request.Criteria is null))
            errors["segment_id"] = ["give segment_id or criteria, not both"];
        Criteria? given = null;
        if (request.Criteria is { } c)
        {
            var parsed = compiler.Parse(c, request.CriteriaLogic);
            foreach (var (path, messages) in parsed.ErrorDictionary())
                errors[path] = messages;
            given = parsed.Criteria;
        }

        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var criteria = given;
            if (request.SegmentId is { } segmentId)
            {
                var segment = await Find(store, segmentId, ct);
                criteria = segment.IsDynamic ? compiler.Parse(segment.Criteria, SegmentMembership.Logic(segment)).Criteria
                    : throw new RuleRefusedException("A static segment has no criteria to evaluate.");
            }

            var contact = await facts.LoadAsync(request.ContactId!.Value, ct) ?? throw new NotFoundException($"Contact {request.ContactId} does not exist.");
            var explanation = compiler.Explain(criteria!, contact);
            return new Evaluation(explanation.Matched, explanation);
        }, ct));
    }

    static async Task<Segment> Find(SegmentsStore store, Guid id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"Segment {id} does not exist.");

    static async Task<Segment> StaticSegment(SegmentsStore store, Guid id, CancellationToken ct)
    {
        var segment = await Find(store, id, ct);
        return segment.IsDynamic ? throw new RuleRefusedException("The segment is dynamic: its criteria decide its members.") : segment;
    }

    static Dictionary<string, string[]> Validate(SegmentRequest r, CriteriaCompiler compiler, string? kind, bool create)
    {
        var errors = RequestLimits.Errors(r);
        if ((create || r.Name is not null) && string.IsNullOrWhiteSpace(r.Name))
            errors["name"] = ["required, 1–200 characters"];
        if (r.Type is { } type && !SegmentKinds.Types.Contains(type))
            errors["type"] = [$"one of {string.Join(", ", SegmentKinds.Types)}"];
        if (create && !SegmentKinds.Kinds.Contains(kind))
            errors["kind"] = ["dynamic or static"];
        if (kind == SegmentKinds.Static && r.Criteria is not null)
            errors["criteria"] = ["a static segment has no criteria"];
        else if (create && kind == SegmentKinds.Dynamic && r.Criteria is null)
            errors["criteria"] = ["required for a dynamic segment"];
        else if (r.Criteria is { } criteria)
            foreach (var (path, messages) in compiler.Parse(criteria, r.CriteriaLogic).ErrorDictionary())
                errors[path] = messages;
        return errors;
    }

    static JsonElement Criteria(SegmentRequest r) =>
        r.Criteria ?? JsonSerializer.SerializeToElement(Array.Empty<object>());

    /// <summary>The flat form's logic as stored: AND or OR, upper case; null for a nested group.</summary>
    static string? Logic(SegmentRequest r) =>
        r.Criteria is { ValueKind: JsonValueKind.Object } ? null
        : r.CriteriaLogic is { ValueKind: JsonValueKind.String } l ? l.GetString()!.ToUpperInvariant() : "AND";

}
