using System.Text.Json;

namespace GrowthOps.Contracts.Leads;

/// <summary>Something a contact did (<c>checkout.completed</c>, <c>email.clicked</c>…), the seeds' <c>trackEvent</c>.</summary>
public record ActivityRecorded(
    Guid TenantId,
    Guid ActivityId,
    Guid ContactId,
    string? ContactEmail,
    string Type,
    IReadOnlyDictionary<string, JsonElement>? Metadata,
    DateTimeOffset OccurredAt);
