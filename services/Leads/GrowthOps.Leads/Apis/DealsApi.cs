using System.Text.Json;
using System.Text.RegularExpressions;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using GrowthOps.Leads.Domain.Deals;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Leads.Apis;

/// <summary>
/// Deals in per-tenant pipelines (a default sales pipeline with HubSpot's stages), their contacts, stage moves with history and
/// time in stage, and the weighted pipeline (amount × stage probability, per pipeline, stage and owner, per currency).
/// </summary>
public static partial class DealsApi
{
    public const string ApiSource = "api";

    [GeneratedRegex("^[a-z0-9_-]{1,50}$")]
    private static partial Regex StageKeyPattern();

    public static IHostApplicationBuilder AddDeals(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<DealsStore>();
        builder.Services.AddScoped<DealBook>();
        builder.Services.AddSingleton<DealDefaults>();
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    public static RouteGroupBuilder MapDealsApi(this RouteGroupBuilder api)
    {
        var pipelines = api.MapGroup("/pipelines").WithTags("Deals");
        pipelines.MapGet("/", ListPipelines);
        pipelines.MapPost("/", CreatePipeline).WithIdempotency();
        pipelines.MapGet("/weighted", Weighted);

        var deals = api.MapGroup("/deals").WithTags("Deals");
        deals.MapPost("/", CreateDeal).WithIdempotency();
        deals.MapGet("/", ListDeals);
        deals.MapGet("/{id:guid}", GetDeal);
        deals.MapPatch("/{id:guid}", PatchDeal);
        deals.MapDelete("/{id:guid}", DeleteDeal);
        deals.MapPost("/{id:guid}/stage", MoveDeal);
        deals.MapGet("/{id:guid}/history", History);
        return api;
    }

    static async Task<Ok<IReadOnlyList<PipelineDto>>> ListPipelines(LeadsTransaction tx, DealBook book, CancellationToken ct) =>
        TypedResults.Ok<IReadOnlyList<PipelineDto>>((await tx.RunAsync(() => book.PipelinesAsync(ct), ct)).Select(PipelineDto.From).ToList());

    [ProducesProblem(StatusCodes.Status409Conflict, "The tenant has a pipeline of that name.")]
    static async Task<Results<Created<PipelineDto>, ValidationProblem>> CreatePipeline(PipelineRequest request, LeadsTransaction tx, DealBook book,
        CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (string.IsNullOrWhiteSpace(request.Name))
            errors["name"] = ["required"];
        var stages = request.Stages ?? [];
        if (stages.Count < 2)
            errors["stages"] = ["at least two stages"];
        else if (stages.All(s => s is null || s.ClosedWon || s.ClosedLost))
            errors["stages"] = ["at least one open stage"];
        for (var i = 0; i < stages.Count; i++)
        {
            var s = stages[i];
            if (s is null)
            {
                errors[$"stages[{i}]"] = ["a stage, not null"];
                continue;
            }
            if (s.Key is null || !StageKeyPattern().IsMatch(s.Key))
                errors[$"stages[{i}].key"] = ["lower-case letters, digits, _ and -, up to 50"];
            else if (stages.Take(i).Any(o => o?.Key == s.Key))
                errors[$"stages[{i}].key"] = ["appears twice"];
            if (string.IsNullOrWhiteSpace(s.Name))
                errors[$"stages[{i}].name"] = ["required"];
            if (!double.IsFinite(s.Probability) || s.Probability is < 0 or > 1)
                errors[$"stages[{i}].probability"] = ["0 to 1"];
            if (s.ClosedWon && s.ClosedLost)
                errors[$"stages[{i}]"] = ["closed_won and closed_lost exclude each other"];
        }
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var pipeline = await tx.RunAsync(() => book.CreatePipelineAsync(request.Name.Trim(),
            stages.Select(s => new DealsStore.NewStage(s.Key, s.Name.Trim(), (decimal)Math.Round(s.Probability, 4), s.ClosedWon, s.ClosedLost)).ToList(), ct), ct);
        return TypedResults.Created($"/api/leads/pipelines/{pipeline.Id}", PipelineDto.From(pipeline));
    }

    /// <summary>Open deals (or all with <c>include_closed</c>), sums per currency: per pipeline, per stage and per owner.</summary>
    static async Task<Ok<IReadOnlyList<WeightedPipeline>>> Weighted(Guid? pipelineId, bool? includeClosed, LeadsTransaction tx, DealsStore store,
        DealBook book, CancellationToken ct)
    {
        var (pipelines, rows) = await tx.RunAsync(async () => (await book.PipelinesAsync(ct), await store.TotalsAsync(pipelineId, includeClosed ?? false, ct)), ct);
        var result = pipelines.Where(p => pipelineId is null || p.Id == pipelineId).Select(p =>
        {
            var mine = rows.Where(r => r.PipelineId == p.Id).ToList();
            return new WeightedPipeline(p.Id, p.Name, Sums(mine),
                p.Stages.Where(s => includeClosed == true || !s.IsClosed)
                    .Select(s => new StageTotals(s.Key, s.Name, s.Probability, Sums(mine.Where(r => r.StageId == s.Id)))).ToList(),
                mine.GroupBy(r => r.OwnerId).Select(g => new OwnerTotals(g.Key, Sums(g))).ToList());
        }).ToList();
        return TypedResults.Ok<IReadOnlyList<WeightedPipeline>>(result);
    }

    static List<PipelineSum> Sums(IEnumerable<PipelineTotalsRow> rows) =>
        rows.GroupBy(r => r.Currency).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g =>
        {
            var digits = Currencies.MinorUnitsOf(g.Key) ?? 2;
            return new PipelineSum(g.Key, g.Sum(r => r.Deals), Currencies.FromMinor(g.Sum(r => r.AmountMinor), digits),
                Math.Round(g.Sum(r => r.WeightedMinor) / (decimal)Math.Pow(10, digits), digits));
        }).ToList();

    [Consumes(typeof(DealRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "An unknown pipeline, stage, currency or contact, or an amount with more decimals than its currency has (field).")]
    static async Task<Results<Created<DealDto>, ValidationProblem>> CreateDeal(JsonElement body, LeadsTransaction tx, DealBook book, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!RequestLimits.Check<DealRequest>(body, errors))
            return TypedResults.ValidationProblem(errors);
        var draft = DealFields.Draft(DealFields.Parse(body, errors), errors);
        if (draft is null)
            return TypedResults.ValidationProblem(errors);
        var (deal, pipelines) = await tx.RunAsync(async () =>
        {
            var created = await book.CreateAsync(draft, ApiSource, null, ct);
            return (created, await book.PipelinesAsync(ct));
        }, ct);
        return TypedResults.Created($"/api/leads/deals/{deal.Id}", DealDto.From(deal, pipelines));
    }

    static async Task<Ok<Page<DealDto>>> ListDeals([AsParameters] DealsQuery query, [AsParameters] PageRequest page, LeadsTransaction tx, DealsStore store,
        DealBook book, CancellationToken ct)
    {
        var filter = new DealsStore.ListFilter(query.PipelineId, query.Stage, query.OwnerId, query.ContactId, query.Status, query.Q);
        var (deals, pipelines) = await tx.RunAsync(async () => (await store.ListAsync(filter, page, ct), await book.PipelinesAsync(ct)), ct);
        return TypedResults.Ok(deals.Select(d => DealDto.From(d, pipelines)));
    }

    static async Task<Results<Ok<DealDto>, NotFound>> GetDeal(Guid id, LeadsTransaction tx, DealsStore store, DealBook book, CancellationToken ct)
    {
        var (deal, pipelines) = await tx.RunAsync(async () => (await store.GetAsync(id, ct), await book.PipelinesAsync(ct)), ct);
        return deal is null ? TypedResults.NotFound() : TypedResults.Ok(DealDto.From(deal, pipelines));
    }

    [Consumes(typeof(DealRequest), "application/json")]
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "An unknown stage, currency or contact, or an amount with more decimals than its currency has (field).")]
    static async Task<Results<Ok<DealDto>, ValidationProblem>> PatchDeal(Guid id, JsonElement body, LeadsTransaction tx, DealBook book, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (!RequestLimits.Check<DealRequest>(body, errors))
            return TypedResults.ValidationProblem(errors);
        var parsed = DealFields.Parse(body, errors);
        if (parsed.PipelineId is not null)
            errors["pipeline_id"] = ["a deal stays in its pipeline"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var (deal, pipelines) = await tx.RunAsync(async () =>
        {
            var changed = await book.ChangeAsync(id, parsed.Changes, ApiSource, null, ct);
            return (changed, await book.PipelinesAsync(ct));
        }, ct);
        return TypedResults.Ok(DealDto.From(deal, pipelines));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Results<NoContent, NotFound>> DeleteDeal(Guid id, LeadsTransaction tx, DealsStore store, CancellationToken ct) =>
        await tx.RunAsync(() => store.DeleteAsync(id, ct), ct) ? TypedResults.NoContent() : TypedResults.NotFound();

    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status422UnprocessableEntity, "No such stage in the deal's pipeline (its stages are listed).")]
    static async Task<Ok<DealDto>> MoveDeal(Guid id, DealStageRequest request, LeadsTransaction tx, DealBook book, CancellationToken ct)
    {
        var (deal, pipelines) = await tx.RunAsync(async () =>
        {
            var moved = await book.MoveAsync(id, request.Stage, ApiSource, request.TriggeredBy, ct);
            return (moved, await book.PipelinesAsync(ct));
        }, ct);
        return TypedResults.Ok(DealDto.From(deal, pipelines));
    }

    /// <summary>Every stage the deal entered, oldest first, with the seconds it spent in the stage it left.</summary>
    static async Task<Results<Ok<IReadOnlyList<DealStageEntryDto>>, NotFound>> History(Guid id, LeadsTransaction tx, DealsStore store, CancellationToken ct)
    {
        var history = await tx.RunAsync(async () => await store.GetAsync(id, ct) is null ? null : await store.HistoryAsync(id, ct), ct);
        return history is null ? TypedResults.NotFound()
            : TypedResults.Ok<IReadOnlyList<DealStageEntryDto>>(history.Select(h => new DealStageEntryDto(h.FromStage, h.ToStage, h.TimeInFrom?.TotalSeconds,
                h.Source, h.TriggeredBy, DateTime.SpecifyKind(h.ChangedAt, DateTimeKind.Utc))).ToList());
    }
}
