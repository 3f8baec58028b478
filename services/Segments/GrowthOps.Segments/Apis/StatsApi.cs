using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.Segments.Domain.Stats;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The seed's D21 metrics: segments by status and type, members per segment, growth and churn over a window, overlap (from
/// the stored overlaps) and refresh execution time.
/// </summary>
public static class StatsApi
{
    public const int DefaultDays = 30;
    public const int MaxDays = 365;

    /// <summary>
    /// <c>by_type</c> has every segment type; <c>average_jaccard</c> and <c>average_overlap_percent</c> (the mean of each stored pair's
    /// two percentages) are null until an overlap is computed; refresh times are in milliseconds, of the latest full pass and
    /// the mean over segments.
    /// </summary>
    public sealed record SegmentStats(int Days, int TotalSegments, int ActiveSegments, int ArchivedSegments, IReadOnlyDictionary<string, int> ByType,
        long TotalMemberships, int Entered, int Exited, int OverlapPairs, double? AverageJaccard, double? AverageOverlapPercent, int? LastRefreshMs,
        double? AverageRefreshMs, IReadOnlyList<SegmentGrowth> Segments);

    public sealed record OneSegmentStats(int Days, SegmentGrowth Growth, int? LastRefreshMs, DateTime? LastRefreshedAt, IReadOnlyList<DailyMembership> Daily);

    public static IHostApplicationBuilder AddStatsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<StatsStore>();
        return builder;
    }

    public static RouteGroupBuilder MapStatsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/stats", Stats).WithTags("Stats");
        api.MapGet("/segments/{id:guid}/stats", OfSegment).WithTags("Stats");
        return api;
    }

    internal static async Task<Results<Ok<SegmentStats>, ValidationProblem>> Stats([AsParameters] StatsQuery query, UnitOfWork unitOfWork,
        StatsStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Days(query) is not { } days)
            return DaysProblem();
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var totals = await store.TotalsAsync(ct);
            var byType = await store.ByTypeAsync(ct);
            var growth = await store.GrowthAsync(null, days, clock.GetUtcNow(), ct);
            return new SegmentStats(days, totals.TotalSegments, totals.ActiveSegments, totals.ArchivedSegments,
                SegmentKinds.Types.ToDictionary(t => t, t => byType.GetValueOrDefault(t)), totals.TotalMemberships, growth.Sum(g => g.Entered),
                growth.Sum(g => g.Exited), totals.OverlapPairs, totals.AverageJaccard, totals.AverageOverlapPercent, totals.LastRefreshMs,
                totals.AverageRefreshMs, growth);
        }, ct));
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<OneSegmentStats>, ValidationProblem>> OfSegment(Guid id, [AsParameters] StatsQuery query, UnitOfWork unitOfWork,
        SegmentsStore segments, StatsStore store, TimeProvider clock, CancellationToken ct)
    {
        if (Days(query) is not { } days)
            return DaysProblem();
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            var segment = await segments.GetAsync(id, ct) ?? throw new NotFoundException($"Segment {id} does not exist.");
            var now = clock.GetUtcNow();
            var growth = (await store.GrowthAsync(id, days, now, ct)).Single();
            return new OneSegmentStats(days, growth, segment.LastRefreshMs, segment.LastRefreshedAt,
                await store.DailyAsync(id, growth.MemberCount, days, now, ct));
        }, ct));
    }

    static int? Days(StatsQuery query) => (query.Days ?? DefaultDays) is var days and >= 1 and <= MaxDays ? days : null;

    static ValidationProblem DaysProblem() =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["days"] = [$"1–{MaxDays}"] });
}
