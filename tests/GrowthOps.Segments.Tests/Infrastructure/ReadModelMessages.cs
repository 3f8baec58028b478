using GrowthOps.Contracts.Leads;
using GrowthOps.Segments.Domain.ReadModel;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>Leads' messages as the consumers hand them to the read model (Consumers/*), for tests that skip the bus.</summary>
public static class ReadModelMessages
{
    public static Task ApplyAsync(object message, ReadModelUpdater updater, ReadModelRebuilder rebuilder) => message switch
    {
        ContactCreated m => updater.ApplyAsync(m.Contact, default),
        ContactUpdated m => updater.ApplyAsync(m.Contact, default),
        TagAdded m => updater.ApplyAsync(m.Contact, default),
        TagRemoved m => updater.ApplyAsync(m.Contact, default),
        LeadStateChanged m => updater.ApplyAsync(m.Contact, m.OccurredAt, default),
        ContactDeleted m => updater.DeleteAsync(m.ContactId, m.OccurredAt, default),
        ActivityRecorded m => updater.RecordAsync(m, default),
        ContactSnapshotsPage m => rebuilder.ApplyPageAsync(m, default),
        _ => throw new ArgumentException($"Not a message the read model takes: {message.GetType().Name}", nameof(message)),
    };

    /// <summary>The message as <paramref name="tenantId"/> would have published it.</summary>
    public static object ForTenant(object message, Guid tenantId) => message switch
    {
        ContactCreated m => m with { TenantId = tenantId },
        ContactUpdated m => m with { TenantId = tenantId },
        TagAdded m => m with { TenantId = tenantId },
        TagRemoved m => m with { TenantId = tenantId },
        LeadStateChanged m => m with { TenantId = tenantId },
        ContactDeleted m => m with { TenantId = tenantId },
        ActivityRecorded m => m with { TenantId = tenantId },
        ContactSnapshotsPage m => m with { TenantId = tenantId },
        _ => throw new ArgumentException($"Not a message the read model takes: {message.GetType().Name}", nameof(message)),
    };
}
