using GrowthOps.Persistence;
using GrowthOps.Persistence.Idempotency;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Paging;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// Snapshots: a segment's members at one moment, taken by hand or by each scheduled refresh (see <see cref="SegmentScheduler"/>),
/// listed, read with their members, and compared (who joined, who left).
/// </summary>
public static class SnapshotsApi
{
    /// <summary>Registers snapshots and the scheduler that refreshes segments (taking their scheduled snapshots) and sweeps time-dependent ones.</summary>
    public static IHostApplicationBuilder AddSnapshotsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SnapshotsStore>();
        builder.Services.AddScoped<SegmentSnapshots>();
        builder.Services.AddScoped<SegmentSchedulesStore>();
        builder.Services.AddSingleton<SegmentScheduler>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<SegmentScheduler>());
        return builder;
    }

    public static RouteGroupBuilder MapSnapshotsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/segments/{id:guid}/snapshots", TakeSnapshot).WithTags("Snapshots").WithIdempotency();
        api.MapGet("/segments/{id:guid}/snapshots", ListSnapshots).WithTags("Snapshots");
        var snapshots = api.MapGroup("/snapshots").WithTags("Snapshots");
        snapshots.MapGet("/{snapshotId:guid}", GetSnapshot);
        snapshots.MapGet("/{snapshotId:guid}/members", SnapshotMembers);
        snapshots.MapGet("/compare", Compare);
        snapshots.MapGet("/compare/joined", Joined);
        snapshots.MapGet("/compare/left", Left);
        return api;
    }

    /// <summary>A <c>manual</c> snapshot of the segment's members now (any segment: dynamic or static, active or archived).</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Created<SegmentSnapshot>> TakeSnapshot(Guid id, UnitOfWork unitOfWork, SegmentsStore segments,
        SegmentSnapshots snapshots, CancellationToken ct)
    {
        var snapshot = await unitOfWork.InTransactionAsync(async () =>
            await snapshots.TakeAsync(await FindSegment(segments, id, ct), SnapshotTypes.Manual, ct), ct);
        return TypedResults.Created($"/api/segments/snapshots/{snapshot.Id}", snapshot);
    }

    /// <summary>The segment's snapshots, newest first.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<Page<SegmentSnapshot>>> ListSnapshots(Guid id, [AsParameters] PageRequest page, UnitOfWork unitOfWork,
        SegmentsStore segments, SnapshotsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await FindSegment(segments, id, ct);
            return await store.ListAsync(id, page, ct);
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<SegmentSnapshot>> GetSnapshot(Guid snapshotId, UnitOfWork unitOfWork, SnapshotsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => Find(store, snapshotId, ct), ct));

    /// <summary>The snapshot's members, as they were, newest entry first.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<Page<SnapshotMember>>> SnapshotMembers(Guid snapshotId, [AsParameters] PageRequest page, UnitOfWork unitOfWork,
        SnapshotsStore store, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await Find(store, snapshotId, ct);
            return await store.MembersAsync(snapshotId, page, ct);
        }, ct));

    /// <summary>Who joined and who left between two snapshots: both counts and the first <c>limit</c> (default 50) of each.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Results<Ok<SnapshotComparison>, ValidationProblem>> Compare([AsParameters] CompareQuery query, int? limit,
        UnitOfWork unitOfWork, SnapshotsStore store, CancellationToken ct)
    {
        var errors = Errors(query) ?? [];
        if (limit is < 1 or > PageRequest.MaxLimit)
            errors["limit"] = [$"must be between 1 and {PageRequest.MaxLimit}"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var (from, to) = (query.From!.Value, query.To!.Value);
        var page = new PageRequest(Limit: limit);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await Find(store, from, ct);
            await Find(store, to, ct);
            return new SnapshotComparison(from, to, await store.CountDifferenceAsync(to, from, ct), await store.CountDifferenceAsync(from, to, ct),
                await store.DifferenceAsync(to, from, page, ct), await store.DifferenceAsync(from, to, page, ct));
        }, ct));
    }

    /// <summary>The members of <c>to</c> not in <c>from</c>, paged on from the comparison's <c>joined.next_cursor</c>.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static Task<Results<Ok<Page<SnapshotMember>>, ValidationProblem>> Joined([AsParameters] CompareQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, SnapshotsStore store, CancellationToken ct) => Difference(query, joined: true, page, unitOfWork, store, ct);

    /// <summary>The members of <c>from</c> not in <c>to</c>, paged on from the comparison's <c>left.next_cursor</c>.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static Task<Results<Ok<Page<SnapshotMember>>, ValidationProblem>> Left([AsParameters] CompareQuery query, [AsParameters] PageRequest page,
        UnitOfWork unitOfWork, SnapshotsStore store, CancellationToken ct) => Difference(query, joined: false, page, unitOfWork, store, ct);

    static async Task<Results<Ok<Page<SnapshotMember>>, ValidationProblem>> Difference(CompareQuery query, bool joined, PageRequest page,
        UnitOfWork unitOfWork, SnapshotsStore store, CancellationToken ct)
    {
        if (Errors(query) is { } errors)
            return TypedResults.ValidationProblem(errors);
        var (from, to) = (query.From!.Value, query.To!.Value);
        return TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await Find(store, from, ct);
            await Find(store, to, ct);
            return joined ? await store.DifferenceAsync(to, from, page, ct) : await store.DifferenceAsync(from, to, page, ct);
        }, ct));
    }

    static Dictionary<string, string[]>? Errors(CompareQuery query)
    {
        var errors = new Dictionary<string, string[]>();
        if (query.From is null)
            errors["from"] = ["required: a snapshot id"];
        if (query.To is null)
            errors["to"] = ["required: a snapshot id"];
        return errors.Count > 0 ? errors : null;
    }

    static async Task<SegmentSnapshot> Find(SnapshotsStore store, Guid id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"Snapshot {id} does not exist.");

    static async Task<Segment> FindSegment(SegmentsStore store, Guid id, CancellationToken ct) =>
        await store.GetAsync(id, ct) ?? throw new NotFoundException($"Segment {id} does not exist.");
}
