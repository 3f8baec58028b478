using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Overlaps;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Segments.Apis;

/// <summary>Overlaps between segments (D21 <c>calculate_overlap</c>): one pair, or the pairwise matrix of up to 20, stored per pair.</summary>
public static class OverlapsApi
{
    public const int MaxMatrix = 20;

    /// <summary>
    /// The matrix of <see cref="SegmentIds"/> in the order given: <c>intersections[i][j]</c> = |i∩j| (the diagonal: |i|),
    /// <c>jaccard[i][j]</c> (the diagonal: 1, or 0 for an empty segment), and every pair as stored.
    /// </summary>
    public sealed record OverlapMatrix(IReadOnlyList<Guid> SegmentIds, IReadOnlyList<int> MemberCounts, int[][] Intersections, double[][] Jaccard,
        IReadOnlyList<SegmentOverlap> Pairs);

    public static IHostApplicationBuilder AddOverlapsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<OverlapsStore>();
        return builder;
    }

    public static RouteGroupBuilder MapOverlapsApi(this RouteGroupBuilder api)
    {
        var overlaps = api.MapGroup("/overlaps").WithTags("Overlaps");
        overlaps.MapPost("/", Calculate);
        overlaps.MapGet("/", List);
        overlaps.MapPost("/matrix", Matrix);
        return api;
    }

    /// <summary>Computes and stores the overlap of two segments' current members, A and B as given.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<SegmentOverlap>, ValidationProblem>> Calculate(OverlapRequest request, UnitOfWork unitOfWork,
        OverlapsStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        if (request.SegmentAId is null)
            errors["segment_a_id"] = ["required"];
        if (request.SegmentBId is null)
            errors["segment_b_id"] = ["required"];
        else if (request.SegmentBId == request.SegmentAId)
            errors["segment_b_id"] = ["must differ from segment_a_id"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var (a, b) = (request.SegmentAId!.Value, request.SegmentBId!.Value);
        var pairs = await ComputeAsync([a, b], unitOfWork, store, clock, ct);
        return TypedResults.Ok(pairs.Single().From(a));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<IReadOnlyList<SegmentOverlap>>> List([AsParameters] OverlapsQuery query, UnitOfWork unitOfWork, OverlapsStore store,
        CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            if (query.SegmentId is not { } id)
                return await store.ListAsync(null, ct);
            if ((await store.ExistingSegmentsAsync([id], ct)).Count == 0)
                throw new NotFoundException($"Segment {id} does not exist.");
            return (IReadOnlyList<SegmentOverlap>)(await store.ListAsync(id, ct)).Select(o => o.From(id)).ToList();
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<OverlapMatrix>, ValidationProblem>> Matrix(OverlapMatrixRequest request, UnitOfWork unitOfWork,
        OverlapsStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        var ids = request.SegmentIds ?? [];
        if (errors.Count == 0 && ids.Count < 2)
            errors["segment_ids"] = [$"2–{MaxMatrix} segment ids"];
        if (errors.Count == 0 && ids.Distinct().Count() != ids.Count)
            errors["segment_ids"] = ["each segment once"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);

        var pairs = await ComputeAsync(ids, unitOfWork, store, clock, ct);
        var index = ids.Select((id, i) => (id, i)).ToDictionary(x => x.id, x => x.i);
        var counts = new int[ids.Count];
        var intersections = ids.Select(_ => new int[ids.Count]).ToArray();
        var jaccard = ids.Select(_ => new double[ids.Count]).ToArray();
        foreach (var p in pairs)
        {
            var (i, j) = (index[p.SegmentAId], index[p.SegmentBId]);
            (counts[i], counts[j]) = (p.ACount, p.BCount);
            intersections[i][j] = intersections[j][i] = p.IntersectionCount;
            jaccard[i][j] = jaccard[j][i] = p.Jaccard;
        }

        for (var i = 0; i < ids.Count; i++)
        {
            intersections[i][i] = counts[i];
            jaccard[i][i] = counts[i] == 0 ? 0 : 1;
        }

        return TypedResults.Ok(new OverlapMatrix(ids, counts, intersections, jaccard, pairs));
    }

    static Task<IReadOnlyList<SegmentOverlap>> ComputeAsync(IReadOnlyList<Guid> ids, UnitOfWork unitOfWork, OverlapsStore store, TimeProvider clock,
        CancellationToken ct) =>
        unitOfWork.InTransactionAsync(async () =>
        {
            var existing = await store.ExistingSegmentsAsync(ids, ct);
            if (ids.Where(id => !existing.Contains(id)).ToList() is [var missing, ..])
                throw new NotFoundException($"Segment {missing} does not exist.");
            return await store.ComputeAsync(ids, clock.GetUtcNow(), ct);
        }, ct);
}
