using System.Text.Json;

namespace GrowthOps.Contracts.Leads;

/// <summary>
/// A contact as other services keep it in their read models (Segments evaluates criteria over these fields).
/// Carried whole by every contact event, so a consumer never needs to call Leads back.
/// </summary>
public record ContactSnapshot(
    Guid Id,
    string? Email,
    string Kind,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? Company,
    string? Source,
    string? Channel,
    string? OwnerId,
    int Score,
    string? Timezone,
    bool MarketingConsent,
    IReadOnlyList<string> Tags,
    string? LeadState,
    IReadOnlyDictionary<string, JsonElement>? Attributes,
    DateTimeOffset? LastInteractionAt,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
