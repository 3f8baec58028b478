using System.Text.Json;

namespace GrowthOps.Contracts.Leads;

/// <summary>
/// A contact as other services keep it in their read models (Segments evaluates criteria over these fields).
/// Carried whole by every contact event, so a consumer never needs to call Leads back. <see cref="Version"/> grows with
/// every change of the contact in Leads (events may arrive late, twice or out of order: keep the highest version seen);
/// <see cref="AiScore"/> is Leads' 0–100 conversion score; <see cref="StateEnteredAt"/> is when it entered <see cref="LeadState"/>.
/// The last four members were added later, so they have defaults (an older message reads as version 0).
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
    DateTimeOffset UpdatedAt,
    long Version = 0,
    int? AiScore = null,
    bool EmailVerified = false,
    DateTimeOffset? StateEnteredAt = null);
