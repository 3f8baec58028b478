using System.Text.Json;
using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using GrowthOps.Segments.Domain.Rules;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// Rule templates (D21): one condition each, the seed's five defaults in every tenant from its first use, CRUD; a segment is
/// built from them with <c>rule_ids</c> (see <see cref="WithRuleCriteriaAsync"/>).
/// </summary>
public static class RulesApi
{
    public const int MaxField = 200;
    public const int MaxValues = CriteriaLimits.MaxListLength;
    public const int MaxValueLength = CriteriaLimits.MaxTextLength;
    public const int MaxValueBytes = 64 * 1024;
    public const int MaxRuleIds = CriteriaLimits.MaxConditions;

    public static IHostApplicationBuilder AddRulesApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RulesStore>();
        return builder;
    }

    public static RouteGroupBuilder MapRulesApi(this RouteGroupBuilder api)
    {
        var rules = api.MapGroup("/rules").WithTags("Rules");
        rules.MapGet("/", List);
        rules.MapPost("/", Create).WithIdempotency();
        rules.MapGet("/{id:guid}", Get);
        rules.MapPatch("/{id:guid}", Update);
        rules.MapDelete("/{id:guid}", Delete);
        return api;
    }

    internal static async Task<Results<Ok<Page<SegmentRule>>, ValidationProblem>> List([AsParameters] RulesQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, RulesStore store, TimeProvider clock, CancellationToken ct)
    {
        if (query.Category is { } category && !SegmentKinds.Types.Contains(category))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["category"] = [$"one of {string.Join(", ", SegmentKinds.Types)}"] });
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await store.EnsureDefaultsAsync(clock.GetUtcNow(), ct);
            return await store.ListAsync(query.Category, page, ct);
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status409Conflict, "A rule with the name exists.")]
    internal static async Task<Results<Created<SegmentRule>, ValidationProblem>> Create(RuleRequest request, UnitOfWork unitOfWork, RulesStore store,
        CriteriaCompiler compiler, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required, 1–200 characters"];
        if (request.Category is null)
            errors["category"] = ["required"];
        if (request.Field is null)
            errors["field"] = ["required"];
        if (request.Operator is null)
            errors["operator"] = ["required"];
        CheckFields(request, errors);
        if (errors.Count == 0)
            CheckCondition(request.Field!, request.Operator!, request.Value, compiler, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var now = clock.GetUtcNow();
        var rule = new SegmentRule(Guid.CreateVersion7(), request.Name!.Trim(), request.Description, request.Category!, request.Field!, request.Operator!,
            Present(request.Value), false, now.UtcDateTime, now.UtcDateTime);
        var created = await unitOfWork.InTransactionAsync(async () =>
        {
            // The defaults first, so that a tenant whose first use is a create still gets them.
            await store.EnsureDefaultsAsync(now, ct);
            if (!await store.TryCreateAsync(rule, ct))
                throw new ConflictException($"A rule named '{rule.Name}' already exists.");
            return (await store.GetAsync(rule.Id, ct))!;
        }, ct);
        return TypedResults.Created($"/api/segments/rules/{created.Id}", created);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<SegmentRule>> Get(Guid id, UnitOfWork unitOfWork, RulesStore store, TimeProvider clock, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await store.EnsureDefaultsAsync(clock.GetUtcNow(), ct);
            return await Find(store, id, ct);
        }, ct));

    /// <summary>Changes the fields given; the resulting condition is checked as a whole. A default edited stays a default.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "A rule with the name exists.")]
    internal static async Task<Results<Ok<SegmentRule>, ValidationProblem>> Update(Guid id, RuleRequest request, UnitOfWork unitOfWork,
        RulesStore store, CriteriaCompiler compiler, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (request.Name is not null && string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["1–200 characters"];
        CheckFields(request, errors);
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        return await unitOfWork.InTransactionAsync<Results<Ok<SegmentRule>, ValidationProblem>>(async () =>
        {
            await store.EnsureDefaultsAsync(clock.GetUtcNow(), ct);
            var rule = await Find(store, id, ct);
            var op = request.Operator ?? rule.Operator;
            // A null check takes no value: switching to one drops the old value rather than asking the client to send null.
            var value = request.Value is not null ? Present(request.Value)
                : request.Operator is not null && op is "is_null" or "is_not_null" ? null : rule.Value;
            var updated = rule with
            {
                Name = request.Name?.Trim() ?? rule.Name, Description = request.Description ?? rule.Description, Category = request.Category ?? rule.Category,
                Field = request.Field ?? rule.Field, Operator = op, Value = value, UpdatedAt = clock.GetUtcNow().UtcDateTime,
            };
            var conditionErrors = new Dictionary<string, string[]>();
            CheckCondition(updated.Field, updated.Operator, updated.Value, compiler, conditionErrors);
            if (conditionErrors.Count > 0)
                return TypedResults.ValidationProblem(conditionErrors);
            if (!await store.TryUpdateAsync(updated, ct))
                throw new ConflictException($"A rule named '{updated.Name}' already exists.");
            return TypedResults.Ok((await store.GetAsync(id, ct))!);
        }, ct);
    }

    /// <summary>Deletes a rule, a default one too (it does not come back); segments built from it keep their criteria.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<NoContent> Delete(Guid id, UnitOfWork unitOfWork, RulesStore store, TimeProvider clock, CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            await store.EnsureDefaultsAsync(clock.GetUtcNow(), ct);
            return await store.DeleteAsync(id, ct) ? true : throw new NotFoundException($"Rule {id} does not exist.");
        }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>
    /// A segment request built from <c>rule_ids</c> (with <c>criteria_logic</c>) as the one with their conditions as its criteria,
    /// in the given order: a copy, so that editing or deleting a rule later leaves the segment as it is. Errors name
    /// <c>rule_ids[i]</c>. A request without <c>rule_ids</c> is answered as it is.
    /// </summary>
    internal static async Task<(SegmentRequest Request, Dictionary<string, string[]> Errors)> WithRuleCriteriaAsync(SegmentRequest request,
        UnitOfWork unitOfWork, RulesStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.RuleIds is not { } ruleIds)
            return (request, errors);
        if (request.Criteria is not null)
            errors["rule_ids"] = ["give criteria or rule_ids, not both"];
        else if (request.Kind == SegmentKinds.Static)
            errors["rule_ids"] = ["a static segment has no criteria"];
        else if (ruleIds.Count is 0 or > MaxRuleIds)
            errors["rule_ids"] = [$"1–{MaxRuleIds} rule ids"];
        if (errors.Count > 0)
            return (request, errors);

        var rules = await unitOfWork.InTransactionAsync(async () =>
        {
            await store.EnsureDefaultsAsync(clock.GetUtcNow(), ct);
            return (await store.GetManyAsync(ruleIds, ct)).ToDictionary(r => r.Id);
        }, ct);
        for (var i = 0; i < ruleIds.Count; i++)
            if (!rules.ContainsKey(ruleIds[i]))
                errors[$"rule_ids[{i}]"] = [$"rule {ruleIds[i]} does not exist"];
        return errors.Count > 0 ? (request, errors)
            : (request with { Criteria = JsonSerializer.SerializeToElement(ruleIds.Select(id => rules[id].Condition())) }, errors);
    }

    static async Task<SegmentRule> Find(RulesStore store, Guid id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"Rule {id} does not exist.");

    static void CheckFields(RuleRequest r, Dictionary<string, string[]> errors)
    {
        if (r.Category is { } category && !SegmentKinds.Types.Contains(category))
            errors["category"] = [$"one of {string.Join(", ", SegmentKinds.Types)}"];
        if (r.Field is { } field && string.IsNullOrWhiteSpace(field))
            errors["field"] = ["required"];
        if (r.Operator is { } op && string.IsNullOrWhiteSpace(op))
            errors["operator"] = ["required"];
    }

    /// <summary>Checks the rule as the one condition of flat criteria, with the compiler's messages under the rule's own member names.</summary>
    static void CheckCondition(string field, string op, JsonElement? value, CriteriaCompiler compiler, Dictionary<string, string[]> errors)
    {
        const string prefix = "criteria[0]";
        foreach (var (path, messages) in compiler.Parse(JsonSerializer.SerializeToElement(new[] { SegmentRule.Condition(field, op, value) })).ErrorDictionary())
            errors[path.StartsWith(prefix + ".", StringComparison.Ordinal) ? path[(prefix.Length + 1)..] : path == prefix ? "field" : path] = messages;
    }

    static JsonElement? Present(JsonElement? value) => value is { ValueKind: not JsonValueKind.Null } v ? v : null;
}
