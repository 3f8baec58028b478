using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Data;
using MassTransit;

namespace GrowthOps.Leads.Consumers;

/// <summary>
/// Starts a republish: one <see cref="RepublishContactSnapshotsPage"/> chain per tenant (the one named, or every tenant Leads
/// knows), each page in a transaction of its own. Behind the inbox; a command sent again under the same request id starts
/// the chains again at page 1, which <see cref="RepublishContactSnapshotsPageConsumer"/> recognises and ignores where they
/// already ran.
/// </summary>
public sealed class RepublishContactSnapshotsConsumer(TenantsStore tenants) : IConsumer<RepublishContactSnapshots>
{
    public const int MaxPageSize = 1000;

    public async Task Consume(ConsumeContext<RepublishContactSnapshots> context)
    {
        var m = context.Message;
        var pageSize = Math.Clamp(m.PageSize, 1, MaxPageSize);
        var ids = m.TenantId is { } tenantId ? [tenantId] : await tenants.ListAsync(context.CancellationToken);
        foreach (var id in ids)
            await context.Publish(new RepublishContactSnapshotsPage(m.RequestId, id, pageSize, 1), context.CancellationToken);
    }
}
