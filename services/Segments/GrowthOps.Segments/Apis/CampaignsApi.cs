using System.Security.Claims;
using GrowthOps.Persistence;
using GrowthOps.Segments.Data;
using GrowthOps.Segments.Domain.Campaigns;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using GrowthOps.ServiceDefaults.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Segments.Apis;

/// <summary>Campaign associations (D21 <c>segment_campaigns</c>): segments as the audience or exclusions of Email, Cortex and sequence campaigns.</summary>
public static class CampaignsApi
{
    public sealed record CampaignAudience(Guid CampaignId, IReadOnlyList<CampaignSegment> Segments);

    public static IHostApplicationBuilder AddCampaignsApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<CampaignsStore>();
        return builder;
    }

    public static RouteGroupBuilder MapCampaignsApi(this RouteGroupBuilder api)
    {
        api.MapPost("/segments/{id:guid}/campaigns", Link).WithTags("Campaigns");
        api.MapGet("/segments/{id:guid}/campaigns", OfSegment).WithTags("Campaigns");
        api.MapDelete("/segments/{id:guid}/campaigns/{campaignId:guid}", Unlink).WithTags("Campaigns");
        api.MapGet("/campaigns/{campaignId:guid}/segments", OfCampaign).WithTags("Campaigns");
        return api;
    }

    /// <summary>201 with the new link; 200 with the existing one when the segment is linked to the campaign already, the same way.</summary>
    [ProducesProblem(StatusCodes.Status404NotFound)]
    [ProducesProblem(StatusCodes.Status409Conflict, "The segment is linked to the campaign with another type or role.")]
    internal static async Task<Results<Created<SegmentCampaign>, Ok<SegmentCampaign>, ValidationProblem>> Link(Guid id, CampaignLinkRequest request,
        ClaimsPrincipal user, UnitOfWork unitOfWork, SegmentsStore segments, CampaignsStore store, TimeProvider clock, CancellationToken ct)
    {
        var errors = RequestLimits.Errors(request);
        if (request.CampaignId is null)
            errors["campaign_id"] = ["required"];
        if (!CampaignLinks.Types.Contains(request.CampaignType))
            errors["campaign_type"] = [$"one of {string.Join(", ", CampaignLinks.Types)}"];
        if (request.Role is { } role && !CampaignLinks.Roles.Contains(role))
            errors["role"] = [$"one of {string.Join(", ", CampaignLinks.Roles)}"];
        if (errors.Count > 0)
            return TypedResults.ValidationProblem(errors);
        var link = new SegmentCampaign(id, request.CampaignId!.Value, request.CampaignType!, request.Role ?? CampaignLinks.Include,
            clock.GetUtcNow().UtcDateTime, user.FindFirstValue("sub") ?? user.FindFirstValue(ClaimTypes.NameIdentifier));
        var (row, created) = await unitOfWork.InTransactionAsync(async () =>
        {
            await FindSegment(segments, id, ct);
            if (await store.TryLinkAsync(link, ct) is { } inserted)
                return (inserted, true);
            var existing = (await store.GetAsync(id, link.CampaignId, ct))!;
            return existing.CampaignType == link.CampaignType && existing.Role == link.Role ? (existing, false)
                : throw new ConflictException($"Segment {id} is linked to campaign {link.CampaignId} as {existing.CampaignType} {existing.Role}; unlink it first.");
        }, ct);
        return created ? TypedResults.Created($"/api/segments/segments/{id}/campaigns/{row.CampaignId}", row) : TypedResults.Ok(row);
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<Ok<IReadOnlyList<SegmentCampaign>>> OfSegment(Guid id, UnitOfWork unitOfWork, SegmentsStore segments, CampaignsStore store,
        CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(async () =>
        {
            await FindSegment(segments, id, ct);
            return await store.OfSegmentAsync(id, ct);
        }, ct));

    [ProducesProblem(StatusCodes.Status404NotFound)]
    internal static async Task<NoContent> Unlink(Guid id, Guid campaignId, UnitOfWork unitOfWork, SegmentsStore segments, CampaignsStore store,
        CancellationToken ct)
    {
        await unitOfWork.InTransactionAsync(async () =>
        {
            await FindSegment(segments, id, ct);
            return await store.UnlinkAsync(id, campaignId, ct) ? true
                : throw new NotFoundException($"Segment {id} is not linked to campaign {campaignId}.");
        }, ct);
        return TypedResults.NoContent();
    }

    /// <summary>The audience's segments; none for a campaign no segment is linked to (campaigns live in their own services).</summary>
    internal static async Task<Ok<CampaignAudience>> OfCampaign(Guid campaignId, UnitOfWork unitOfWork, CampaignsStore store, CancellationToken ct) =>
        TypedResults.Ok(new CampaignAudience(campaignId, await unitOfWork.InTransactionAsync(() => store.OfCampaignAsync(campaignId, ct), ct)));

    static async Task FindSegment(SegmentsStore segments, Guid id, CancellationToken ct)
    {
        if (await segments.GetAsync(id, ct) is null)
            throw new NotFoundException($"Segment {id} does not exist.");
    }
}
