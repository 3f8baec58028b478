using System.Security.Claims;
using GrowthOps.Contracts.Leads;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Errors;
using GrowthOps.ServiceDefaults.OpenApi;
using MassTransit;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Email's read model of recipients (from Leads' contact events) and of segment membership (from Segments' events): what a
/// send or an audience sees of a contact, and a rebuild from Leads' snapshots when Email is deployed next to an existing Leads.
/// </summary>
public static class RecipientsApi
{
    public sealed record RebuildRequested(Guid RequestId, DateTimeOffset RequestedAt);

    public static IHostApplicationBuilder AddRecipients(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<RecipientsStore>();
        builder.Services.AddScoped<RecipientsReader>();
        builder.Services.AddScoped<SegmentMembersStore>();
        return builder;
    }

    public static RouteGroupBuilder MapRecipientsApi(this RouteGroupBuilder api)
    {
        var recipients = api.MapGroup("/recipients").WithTags("Recipients");
        recipients.MapGet("/{contactId:guid}", Get);
        recipients.MapPost("/rebuild", Rebuild);
        return api;
    }

    [ProducesProblem(StatusCodes.Status404NotFound)]
    static async Task<Ok<Recipient>> Get(Guid contactId, UnitOfWork unitOfWork, RecipientsReader reader, CancellationToken ct) =>
        TypedResults.Ok(await unitOfWork.InTransactionAsync(() => reader.GetAsync(contactId, ct), ct)
                        ?? throw new NotFoundException($"Contact {contactId} is not a recipient here (unknown, or deleted)."));

    /// <summary>Asks Leads to republish every contact of the tenant; the pages update the read model as live events do.</summary>
    static async Task<Accepted<RebuildRequested>> Rebuild(ClaimsPrincipal user, UnitOfWork unitOfWork, IPublishEndpoint publish, TimeProvider clock,
        CancellationToken ct)
    {
        var request = new RebuildRequested(Guid.CreateVersion7(), clock.GetUtcNow());
        await unitOfWork.InTransactionAsync(async () =>
        {
            await publish.Publish(new RepublishContactSnapshots(request.RequestId, unitOfWork.TenantId, 500, $"email:{user.Identity?.Name ?? "unknown"}",
                request.RequestedAt), ct);
            return true;
        }, ct);
        return TypedResults.Accepted((string?)null, request);
    }
}
