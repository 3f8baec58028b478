using System.Security.Claims;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.ReadModel;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using Microsoft.AspNetCore.Http.HttpResults;
using MassTransit;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Apis;

/// <summary>
/// The read model of contacts: kept from Leads' events by the consumers, rebuilt on request from Leads' snapshots. A rebuild
/// of every tenant is the bus command <c>RepublishContactSnapshots</c> with no tenant, sent by an operator.
/// </summary>
public static class ReadModelApi
{
    public static IHostApplicationBuilder AddReadModel(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<ReadModelStore>();
        builder.Services.AddScoped<RebuildsStore>();
        builder.Services.AddScoped<ReadModelUpdater>();
        builder.Services.AddScoped<ReadModelRebuilder>();
        return builder;
    }

    public static RouteGroupBuilder MapReadModelApi(this RouteGroupBuilder api)
    {
        var readModel = api.MapGroup("/read-model").WithTags("Read model");
        readModel.MapPost("/rebuild", RequestRebuild);
        readModel.MapGet("/rebuilds/{id:guid}", GetRebuild);
        return api;
    }

    /// <summary>Asks Leads to republish every contact of the tenant; the answer's location follows the rebuild.</summary>
    [ProducesProblem(StatusCodes.Status409Conflict, "A rebuild is running (request_id names it).")]
    static async Task<Accepted<Rebuild>> RequestRebuild(ClaimsPrincipal user, UnitOfWork unitOfWork, RebuildsStore rebuilds, IPublishEndpoint publish,
        IOptions<SegmentsOptions> options, CancellationToken ct)
    {
        var o = options.Value;
        var requestedBy = user.Identity?.Name ?? "unknown";
        var rebuild = await unitOfWork.InTransactionAsync(async () =>
        {
            // One at a time per tenant: each asks Leads for every contact again.
            if (await rebuilds.RunningAsync(o.RebuildStaleAfter, ct) is { } running)
                throw new ConflictException($"A rebuild of the read model is running (request {running.RequestId}); wait for it to complete.",
                    new Dictionary<string, object?> { ["request_id"] = running.RequestId });
            var added = await rebuilds.AddAsync(Guid.CreateVersion7(), requestedBy, o.RebuildPageSize, ct);
            // Published, not sent, and through the outbox with the rebuild's row: Leads owns the queue that consumes it.
            await publish.Publish(new RepublishContactSnapshots(added.RequestId, unitOfWork.TenantId, o.RebuildPageSize, requestedBy,
                added.RequestedAt!.Value), ct);
            return added;
        }, ct);
        return TypedResults.Accepted($"/api/segments/read-model/rebuilds/{rebuild.RequestId}", rebuild);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Rebuild>> GetRebuild(Guid id, UnitOfWork unitOfWork, RebuildsStore rebuilds, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => rebuilds.GetAsync(id, ct), ct)
                        ?? throw new NotFoundException($"Rebuild {id} does not exist."));
}
