using System.Text.Json;

namespace GrowthOps.Conditions;

/// <summary>
/// One contact of the read model as criteria see it (a row of <c>segments.contacts</c> with its activity totals and the
/// activities of the retention window): what the in-memory back end evaluates, field for field what the SQL back end reads.
/// </summary>
public sealed record ContactFacts
{
    public required Guid Id { get; init; }
    public string? Email { get; init; }
    public string? Kind { get; init; }
    public string? FirstName { get; init; }
    public string? LastName { get; init; }
    public string? Phone { get; init; }
    public string? Company { get; init; }
    public string? Source { get; init; }
    public string? Channel { get; init; }
    public string? OwnerId { get; init; }
    public string? Timezone { get; init; }
    public int Score { get; init; }
    public int? AiScore { get; init; }
    public bool MarketingConsent { get; init; }
    public DateTimeOffset? ConsentAt { get; init; }
    public bool EmailVerified { get; init; }
    public IReadOnlyDictionary<string, JsonElement> Attributes { get; init; } = new Dictionary<string, JsonElement>();
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? LeadState { get; init; }
    public DateTimeOffset? StateEnteredAt { get; init; }
    public DateTimeOffset? LastInteractionAt { get; init; }
    public int? PurchaseCount { get; init; }

    /// <summary>The tenant's propensity model's chance of winning (0–100, <c>Domain/Predictive</c>); null without a trained model.</summary>
    public decimal? PredictedConversion { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }

    /// <summary>Per activity type over the contact's whole history (<c>segments.contact_activity</c>).</summary>
    public IReadOnlyDictionary<string, ActivityTotals> ActivityTotals { get; init; } = new Dictionary<string, ActivityTotals>();

    /// <summary>The activities of the retention window (<c>segments.activities</c>).</summary>
    public IReadOnlyList<ActivityFact> Activities { get; init; } = [];

    /// <summary>
    /// What <see cref="FieldKind.Context"/> fields read, by path from this object (<c>{"event": {...}, "time": {...}}</c>):
    /// a workflow run's trigger event, clock and earlier steps. Undefined (no context) for Segments.
    /// </summary>
    public JsonElement Context { get; init; }
}
