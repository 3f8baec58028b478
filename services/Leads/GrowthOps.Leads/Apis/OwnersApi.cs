using System.Security.Claims;
using System.Text.RegularExpressions;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain.Work;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// Owners (the tenant's users, by their tokens' <c>sub</c>), assigning a contact or a deal to one (<c>OwnerAssigned</c>), and
/// round-robin groups that hand work to their active members in turn.
/// </summary>
public static partial class OwnersApi
{
    [GeneratedRegex("^[a-z0-9_-]{1,50}$")]
    private static partial Regex GroupName();

    public static IHostApplicationBuilder AddOwners(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OwnersStore>();
        builder.Services.AddScoped<OwnerAssignment>();
        return builder;
    }

    public static RouteGroupBuilder MapOwnersApi(this RouteGroupBuilder api)
    {
        var owners = api.MapGroup("/owners").WithTags("Owners");
        owners.MapGet("/", List);
        owners.MapPut("/{owner_id}", Put);
        var groups = api.MapGroup("/owner-groups").WithTags("Owners");
        groups.MapPut("/{group_name}", PutGroup);
        groups.MapGet("/{group_name}", GetGroup);
        groups.MapDelete("/{group_name}", DeleteGroup);
        api.MapPost("/contacts/{id:guid}/owner", AssignContact).WithTags("Owners");
        api.MapPost("/deals/{id:guid}/owner", AssignDeal).WithTags("Owners");
        return api;
    }

    /// <summary>
    /// An id as a token's <c>sub</c> carries it, and one that is its own path segment: no separators, no escapes (a value that
    /// still holds <c>%2E%2E</c> after the path was decoded was escaped twice, a trick, not an id), not <c>.</c> or <c>..</c>.
    /// </summary>
    static bool IsOwnerId(string id) =>
        id.Length is > 0 and <= LeadsDefaults.MaxText && id.Trim() == id && id is not ("." or "..")
        && !id.Any(c => char.IsControl(c) || c is '/' or '\\' or '%');

    static async Task<Ok<IReadOnlyList<OwnerDto>>> List(LeadsTransaction tx, OwnersStore store, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<OwnerDto>>((await tx.RunAsync(() => store.ListAsync(ct), ct)).Select(OwnerDto.From).ToList());

    /// <summary>Creates (201) or replaces (200) an owner; an inactive owner keeps what it owns but gets nothing new.</summary>
    static async Task<Results<Created<OwnerDto>, Ok<OwnerDto>, ValidationProblem>> Put([FromRoute(Name = "owner_id")] string ownerId, OwnerRequest request, LeadsTransaction tx,
        OwnersStore store, CancellationToken ct)
    {
        var id = ownerId;
        var errors = new Dictionary<string, string[]>();
        if (!IsOwnerId(id))
            errors["owner_id"] = ["1 to 500 characters, no surrounding spaces, no control characters, no / \\ or % and not a dot segment"];
        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required"];
        if (request.Email is { } email && !GrowthOps.ServiceDefaults.Validation.EmailAddress.TryParse(email, out _))
            errors["email"] = ["an email address"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var created = await tx.RunAsync(() => store.UpsertAsync(id, request.Name.Trim(), request.Email, request.Active, ct), ct);
        var dto = new OwnerDto(id, request.Name.Trim(), request.Email, request.Active);
        return created ? TypedResults.Created($"/api/leads/owners/{Uri.EscapeDataString(id)}", dto) : TypedResults.Ok(dto);
    }

    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "A member that is no owner of the tenant.")]
    static async Task<Results<Ok<OwnerGroupDto>, ValidationProblem>> PutGroup([FromRoute(Name = "group_name")] string groupName, OwnerGroupRequest request, LeadsTransaction tx, OwnersStore store,
        CancellationToken ct)
    {
        var name = groupName;
        var members = request.Members ?? [];
        if (!GroupName().IsMatch(name))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["name"] = ["lower-case letters, digits, _ and -, up to 50"] });
        if (members.Count == 0 || members.Any(m => string.IsNullOrEmpty(m)) || members.Distinct().Count() != members.Count)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["members"] = ["one or more distinct owner ids"] });
        await tx.RunAsync(async () =>
        {
            var unknown = await store.UnknownAsync(members, ct);
            if (unknown.Count > 0)
                throw new GrowthOps.ServiceDefaults.Errors.RuleRefusedException($"No owner {string.Join(", ", unknown)} (PUT /owners/{{id}} adds one).",
                    new Dictionary<string, object?> { ["field"] = "members", ["unknown"] = unknown });
            await store.SetGroupAsync(name, members, ct);
        }, ct);
        return TypedResults.Ok(new OwnerGroupDto(name, members, null));
    }

    static async Task<Results<Ok<OwnerGroupDto>, NotFound>> GetGroup([FromRoute(Name = "group_name")] string groupName, LeadsTransaction tx, OwnersStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.GroupAsync(groupName, ct), ct) is { } group
            ? TypedResults.Ok(new OwnerGroupDto(groupName, group.Members, group.Members.Length == 0 ? null : group.Members[group.Next % group.Members.Length]))
            : TypedResults.NotFound();

    static async Task<Results<NoContent, NotFound>> DeleteGroup([FromRoute(Name = "group_name")] string groupName, LeadsTransaction tx, OwnersStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteGroupAsync(groupName, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    [ProducesProblem(StatusCodes.Status404NotFound, "No such contact, or no such group.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The owner is unknown or inactive, or no member of the group is active.")]
    static Task<Results<Ok<AssignmentDto>, ValidationProblem>> AssignContact(Guid id, AssignOwnerRequest request, ClaimsPrincipal user, LeadsTransaction tx,
        OwnerAssignment assignment, CancellationToken ct) =>
        AssignAsync("contact", id, request, () => assignment.AssignContactAsync(id, request.OwnerId, request.Group, TasksApi.UserOf(user), ct), tx, ct);

    [ProducesProblem(StatusCodes.Status404NotFound, "No such deal, or no such group.")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "The owner is unknown or inactive, or no member of the group is active.")]
    static Task<Results<Ok<AssignmentDto>, ValidationProblem>> AssignDeal(Guid id, AssignOwnerRequest request, ClaimsPrincipal user, LeadsTransaction tx,
        OwnerAssignment assignment, CancellationToken ct) =>
        AssignAsync("deal", id, request, () => assignment.AssignDealAsync(id, request.OwnerId, request.Group, TasksApi.UserOf(user), ct), tx, ct);

    static async Task<Results<Ok<AssignmentDto>, ValidationProblem>> AssignAsync(string type, Guid id, AssignOwnerRequest request,
        Func<Task<OwnerAssignment.Result>> assign, LeadsTransaction tx, CancellationToken ct)
    {
        if ((request.OwnerId is null) == (request.Group is null))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["owner_id"] = ["give owner_id or group, one of them"] });
        var result = await tx.RunAsync(assign, ct);
        return TypedResults.Ok(new AssignmentDto(type, id, result.OwnerId, result.PreviousOwnerId, request.Group));
    }
}
