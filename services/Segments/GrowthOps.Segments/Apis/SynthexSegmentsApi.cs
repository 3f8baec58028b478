using System.Text.Json;
using System.Text.Json.Nodes;
using static GrowthOps.ServiceDefaults.Compatibility.SeedBody;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Query;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The seed's action-style routes (<c>GET /api/synthex/segments?type=…</c>, <c>POST {action: …}</c>), answered by the same
/// handlers as the REST routes, through two tables (type → handler, action → handler). Bodies are accepted verbatim —
/// snake_case or the seed's camelCase, <c>segment_name</c>/<c>segment_type</c> for <c>name</c>/<c>type</c> — and a tenant id
/// that is not the token's tenant is refused with 403. A type or action of the seed that no table holds yet is a 400 naming
/// the ones served, as is an unknown one.
/// </summary>
public static class SynthexSegmentsApi
{
    /// <summary>The seed's GET types and POST actions, in its order; those missing from the tables below are answered 400.</summary>
    static readonly string[] SeedTypes = ["stats", "list", "segment", "members", "member_segments", "rules", "snapshots", "audience"];

    static readonly string[] SeedActions =
    [
        "create_segment", "update_segment", "delete_segment", "archive_segment", "add_member", "remove_member", "evaluate", "refresh",
        "create_rule", "create_snapshot", "calculate_overlap",
    ];

    /// <summary>The seed's member names for the REST ones (<c>segment_name</c> → <c>name</c>); a body giving both is refused.</summary>
    static readonly (string Seed, string Ours)[] Renames =
        [("segment_name", "name"), ("segment_type", "type"), ("segment_description", "description"), ("id", "segment_id"), ("lead_id", "contact_id"), ("rule_name", "name")];

    static readonly Dictionary<string, Func<GetCall, Task<IResult>>> Gets = new()
    {
        ["list"] = g => As(SegmentsApi.List(new SegmentsQuery(g.Query.SegmentType, g.Query.Status), g.Page, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Ct)),
        ["segment"] = g => g.Query.SegmentId is { } id
            ? As(SegmentsApi.Get(id, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Ct))
            : Missing("segment_id", "a segment id"),
        ["members"] = g => g.Query.SegmentId is { } id
            ? As(SegmentsApi.Members(id, g.Members, g.Page, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Get<MembersStore>(), g.Ct))
            : Missing("segment_id", "a segment id"),
        ["member_segments"] = g => g.Query.ContactId is { } id
            ? As(SegmentsApi.SegmentsOfContact(id, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Ct))
            : Missing("contact_id", "a contact id"),
        ["audience"] = Audiences,
        ["stats"] = g => As(StatsApi.Stats(new StatsQuery(g.Query.Days), g.Get<UnitOfWork>(), g.Get<StatsStore>(), g.Get<TimeProvider>(), g.Ct)),
        ["rules"] = g => As(RulesApi.List(new RulesQuery(g.Query.Category), g.Page, g.Get<UnitOfWork>(), g.Get<RulesStore>(), g.Get<TimeProvider>(), g.Ct)),
        ["snapshots"] = g => g.Query.SegmentId is { } id
            ? As(SnapshotsApi.ListSnapshots(id, g.Page, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Get<SnapshotsStore>(), g.Ct))
            : Missing("segment_id", "a segment id"),
    };

    static readonly Dictionary<string, Func<PostCall, Task<IResult>>> Actions = new()
    {
        ["create_segment"] = p => p.Read<SegmentRequest>() is { } request
            ? As(SegmentsApi.Create(request, p.Http.User, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Get<CriteriaCompiler>(),
                p.Get<RulesStore>(), p.Get<TimeProvider>(), p.Ct))
            : p.Refused(),
        ["update_segment"] = p => (p.SegmentId, p.Read<SegmentRequest>()) is ({ } id, { } request)
            ? As(SegmentsApi.Update(id, request, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Get<CriteriaCompiler>(),
                p.Get<TimeProvider>(), p.Ct))
            : p.Refused("segment_id"),
        ["delete_segment"] = p => p.SegmentId is { } id
            ? As(SegmentsApi.Delete(id, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Ct))
            : p.Refused("segment_id"),
        ["archive_segment"] = p => p.SegmentId is { } id
            ? As(SegmentsApi.Archive(id, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Get<TimeProvider>(), p.Ct))
            : p.Refused("segment_id"),
        ["add_member"] = p => (p.SegmentId, p.Members()) is ({ } id, { } request)
            ? As(SegmentsApi.AddMembers(id, request, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Ct))
            : p.Refused("segment_id"),
        ["remove_member"] = p => (p.SegmentId, p.Members()) is ({ } id, { } request)
            ? As(SegmentsApi.RemoveMembers(id, request, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Ct))
            : p.Refused("segment_id"),
        ["evaluate"] = p => p.Read<EvaluateRequest>() is { } request
            ? As(SegmentsApi.Evaluate(request, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<ContactFactsStore>(), p.Get<CriteriaCompiler>(), p.Ct))
            : p.Refused(),
        ["refresh"] = p => p.SegmentId is { } id
            ? As(SegmentsApi.Refresh(id, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentMembership>(), p.Ct))
            : p.Refused("segment_id"),
        ["create_rule"] = p => p.Read<RuleRequest>() is { } request
            ? As(RulesApi.Create(request, p.Get<UnitOfWork>(), p.Get<RulesStore>(), p.Get<CriteriaCompiler>(), p.Get<TimeProvider>(), p.Ct))
            : p.Refused(),
        // The seed's createSnapshot(tenantId, segmentId, type): through the API a snapshot is manual; scheduled ones are the scheduler's.
        ["create_snapshot"] = p => p.SegmentId is { } id && p.Read<SnapshotActionRequest>() is { } request
            ? request.Type is null or SnapshotTypes.Manual
                ? As(SnapshotsApi.TakeSnapshot(id, p.Get<UnitOfWork>(), p.Get<SegmentsStore>(), p.Get<SegmentSnapshots>(), p.Ct))
                : Task.FromResult(Invalid("type", $"must be {SnapshotTypes.Manual}: scheduled snapshots are taken by the auto-refresh"))
            : p.Refused("segment_id"),
        ["calculate_overlap"] = p => p.Read<OverlapRequest>() is { } request
            ? As(OverlapsApi.Calculate(request, p.Get<UnitOfWork>(), p.Get<OverlapsStore>(), p.Get<TimeProvider>(), p.Ct))
            : p.Refused(),
    };

    public static IEndpointRouteBuilder MapSynthexSegmentsApi(this IEndpointRouteBuilder app)
    {
        var route = app.MapGroup("/api/synthex/segments").WithTags("Compatibility");
        route.MapGet("/", Get).WithQueryAliases(("tenantId", "tenant_id"), ("segmentId", "segment_id"), ("contactId", "contact_id"),
            ("segmentType", "segment_type"), ("leadState", "lead_state"), ("enteredAfter", "entered_after"), ("enteredBefore", "entered_before"));
        route.MapPost("/", Post).WithIdempotency();
        return app;
    }

    /// <summary>One GET: its query, the members filters, the page, and the request's services.</summary>
    public sealed record GetCall(HttpContext Http, SynthexSegmentsQuery Query, MembersQuery Members, PageRequest Page, CancellationToken Ct)
    {
        public T Get<T>() where T : notnull => Http.RequestServices.GetRequiredService<T>();
    }

    /// <summary>One POST: its members (snake_case, seed names renamed, envelope removed), the errors found so far, and the request's services.</summary>
    public sealed class PostCall(HttpContext http, JsonObject fields, Dictionary<string, string[]> errors, Guid? segmentId, CancellationToken ct)
    {
        public HttpContext Http => http;
        public CancellationToken Ct => ct;

        /// <summary><c>segment_id</c> (or <c>id</c>), checked to be a UUID whatever the action.</summary>
        public Guid? SegmentId => segmentId;

        public T Get<T>() where T : notnull => http.RequestServices.GetRequiredService<T>();

        /// <summary>The members as the REST request <typeparamref name="T"/>; null with the member named in the errors when one has the wrong type.</summary>
        public T? Read<T>() where T : class => TryRead<T>(fields, errors);

        /// <summary>A member's contacts: <c>contact_id</c> and/or <c>email</c>, and the lists <c>contact_ids</c>, <c>emails</c>, as one request.</summary>
        public MembersRequest? Members()
        {
            var contactId = Uuid(fields, "contact_id", "a contact id", errors);
            var email = Text(fields, "email", errors);
            var many = Read<MembersRequest>();
            if (many is null || errors.Count > 0)
                return null;
            var ids = new List<Guid>(many.ContactIds ?? []);
            if (contactId is { } id)
                ids.Add(id);
            var emails = new List<string>(many.Emails ?? []);
            if (email is not null)
                emails.Add(email);
            return new MembersRequest(ids, emails);
        }

        /// <summary>The errors found; with <paramref name="required"/> (<c>segment_id</c>), that it is missing when no error was found.</summary>
        public Task<IResult> Refused(string? required = null) =>
            errors.Count > 0 || required is null ? Task.FromResult<IResult>(TypedResults.ValidationProblem(errors)) : Missing(required, "a segment id");
    }

    [ProducesResponseType<JsonElement>(StatusCodes.Status200OK, Description = "What the REST route for the type answers.")]
    [ProducesProblem(StatusCodes.Status400BadRequest)]
    [ProducesProblem(StatusCodes.Status403Forbidden, "tenant_id is not the token's tenant.")]
    [ProducesProblem(StatusCodes.Status404NotFound, "segment_id or contact_id names nothing of the tenant.")]
    static Task<IResult> Get(HttpContext http, [AsParameters] SynthexSegmentsQuery query, [AsParameters] MembersQuery members,
        [AsParameters] PageRequest page, CurrentTenant tenant, CancellationToken ct)
    {
        if (query.TenantId is { } requested && requested != tenant.Required)
            return Task.FromResult<IResult>(Forbidden());
        if (query.Type is not { } type)
            return Missing("type", $"one of {Served(SeedTypes, Gets.Keys)}");
        return Gets.TryGetValue(type, out var handler)
            ? handler(new GetCall(http, query, members, page, ct))
            : Task.FromResult(NotServed("type", type, SeedTypes, Gets.Keys));
    }

    [Consumes(typeof(SynthexSegmentsRequest), "application/json")]
    [ProducesResponseType<JsonElement>(StatusCodes.Status200OK, Description = "What the REST route for the action answers.")]
    [ProducesResponseType<JsonElement>(StatusCodes.Status201Created, Description = "What the REST route for the action answers.")]
    [ProducesResponseType(StatusCodes.Status204NoContent)]
    [ProducesProblem(StatusCodes.Status403Forbidden, "tenantId is not the token's tenant.")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "As the REST route for the action.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "As the REST route for the action.")]
    static async Task<IResult> Post(HttpContext http, JsonElement body, CurrentTenant tenant, CancellationToken ct)
    {
        if (body.ValueKind != JsonValueKind.Object)
            return Invalid("body", "must be a JSON object");
        var errors = new Dictionary<string, string[]>();
        var fields = SnakeCase(body, errors);
        // The envelope's documented members are checked whatever the action: a mistyped or oversized one is refused, never
        // silently ignored.
        RequestLimits.Check<SynthexSegmentsRequest>(JsonSerializer.SerializeToElement(fields), errors);
        var requestTenant = Uuid(fields, "tenant_id", "a tenant id", errors);
        var action = Text(fields, "action", errors);
        foreach (var text in new[] { "email", "segment_name", "segment_type" })
            Text(fields, text, errors);
        Items(fields, "contact_ids", node => node.GetValueKind() == JsonValueKind.String && Guid.TryParse(node.GetValue<string>(), out _), "a contact id (a UUID string)",
            errors);
        Items(fields, "emails", node => node.GetValueKind() == JsonValueKind.String, "a string", errors);
        foreach (var (seed, ours) in Renames)
            Rename(fields, seed, ours, errors);
        var segmentId = Uuid(fields, "segment_id", "a segment id", errors);
        Uuid(fields, "contact_id", "a contact id", errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        if (requestTenant is { } requested && requested != tenant.Required)
            return Forbidden();
        if (action is null)
            return Invalid("action", $"is required: one of {Served(SeedActions, Actions.Keys)}");
        fields.Remove("action");
        fields.Remove("tenant_id");
        return Actions.TryGetValue(action, out var handler)
            ? await handler(new PostCall(http, fields, errors, segmentId, ct))
            : NotServed("action", action, SeedActions, Actions.Keys);
    }

    static async Task<IResult> Audiences(GetCall g)
    {
        var listed = await SegmentsApi.List(new SegmentsQuery(g.Query.SegmentType, SegmentKinds.Active), g.Page, g.Get<UnitOfWork>(), g.Get<SegmentsStore>(), g.Ct);
        return listed.Result is Ok<Page<Segment>> { Value: { } page } ? TypedResults.Ok(page.Select(Audience.From)) : listed.Result;
    }

    static async Task<IResult> As<T>(Task<T> handler) where T : IResult => await handler;

    static IResult NotServed(string parameter, string given, string[] seed, IEnumerable<string> served) =>
        Invalid(parameter, seed.Contains(given)
            ? $"'{given}' is not served yet; one of {Served(seed, served)}"
            : $"must be one of {Served(seed, served)}");

    /// <summary>The served names in the seed's order, then any of ours it does not name.</summary>
    static string Served(string[] seed, IEnumerable<string> served)
    {
        var names = served.ToHashSet();
        return string.Join(", ", seed.Where(names.Contains).Concat(names.Where(n => !seed.Contains(n)).Order(StringComparer.Ordinal)));
    }

    static void Rename(JsonObject fields, string from, string to, Dictionary<string, string[]> errors)
    {
        if (!fields.ContainsKey(from))
            return;
        if (fields.ContainsKey(to))
        {
            errors[from] = [$"is given twice (as {from} and {to})"];
            return;
        }

        var value = fields[from];
        fields.Remove(from);
        fields[to] = value;
    }

    /// <summary>A member that must be an array whose every item is <paramref name="what"/> when present.</summary>
    static void Items(JsonObject fields, string name, Func<JsonNode, bool> valid, string what, Dictionary<string, string[]> errors)
    {
        if (fields[name] is not { } node)
            return;
        if (node is not JsonArray items)
        {
            errors[name] = ["must be an array"];
            return;
        }

        for (var i = 0; i < items.Count; i++)
            if (items[i] is not { } item || !valid(item))
            {
                errors[$"{name}[{i}]"] = [$"must be {what}"];
                return;
            }
    }

    static Task<IResult> Missing(string field, string what) => Task.FromResult(Invalid(field, $"is required ({what})"));
}
