using System.Collections.Concurrent;
using GrowthOps.Leads.Data;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Domain.Deals;

/// <summary>
/// Every tenant has a default sales pipeline, made in its first deals transaction: HubSpot's default stages with their
/// keys and probabilities, so that HubSpot's <c>dealstage</c> values name them as they are.
/// </summary>
public sealed class DealDefaults
{
    public const string PipelineName = "Sales pipeline";

    public static readonly DealsStore.NewStage[] Stages =
    [
        new("appointmentscheduled", "Appointment scheduled", 0.2m, false, false),
        new("qualifiedtobuy", "Qualified to buy", 0.4m, false, false),
        new("presentationscheduled", "Presentation scheduled", 0.6m, false, false),
        new("decisionmakerboughtin", "Decision maker bought-in", 0.8m, false, false),
        new("contractsent", "Contract sent", 0.9m, false, false),
        new("closedwon", "Closed won", 1.0m, true, false),
        new("closedlost", "Closed lost", 0m, false, true),
    ];

    readonly ConcurrentDictionary<Guid, bool> _seeded = new();

    public async Task EnsureAsync(UnitOfWork unitOfWork, DealsStore store, CancellationToken ct)
    {
        var tenantId = unitOfWork.TenantId ?? throw new InvalidOperationException("Deals need a tenant.");
        if (_seeded.ContainsKey(tenantId))
            return;
        // Concurrent first requests: one inserts, the other's insert does nothing (the name is unique per tenant).
        if (!await store.AnyPipelineAsync(ct))
            await store.TryCreatePipelineAsync(Guid.CreateVersion7(), PipelineName, isDefault: true, Stages, ct);
        unitOfWork.AfterCommit(() => _seeded.TryAdd(tenantId, true));
    }
}
