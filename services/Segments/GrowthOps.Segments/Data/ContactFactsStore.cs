using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.Criteria;
using Microsoft.Extensions.Options;

namespace GrowthOps.Segments.Data;

/// <summary>
/// Reads the contacts read model for criteria, always inside the tenant's unit of work (row-level security scopes every
/// query): one contact as <see cref="ContactFacts"/> for the in-memory back end, and the contacts a compiled
/// <see cref="SqlFragment"/> selects. Tombstones (deleted contacts) are never members.
/// </summary>
public sealed class ContactFactsStore(UnitOfWork unitOfWork, TimeProvider clock, IOptions<SegmentsOptions> options)
{
    // Columns are aliased to the rows' property names (matched ignoring case), whatever DefaultTypeMap.MatchNamesWithUnderscores says.
    // Rows with settable properties: Dapper's constructor matching wants exact column types (text[] reads as Array).
    sealed class ContactRow
    {
        public Guid Id { get; init; }
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
        public DateTime? ConsentAt { get; init; }
        public bool EmailVerified { get; init; }
        public string AttributesJson { get; init; } = "{}";
        public string[] Tags { get; init; } = [];
        public string? LeadState { get; init; }
        public DateTime? StateEnteredAt { get; init; }
        public DateTime? LastInteractionAt { get; init; }
        public int? PurchaseCount { get; init; }
        public DateTime CreatedAt { get; init; }
        public DateTime UpdatedAt { get; init; }
    }

    sealed class TotalsRow
    {
        public string Type { get; init; } = "";
        public long Count { get; init; }
        public DateTime FirstAt { get; init; }
        public DateTime LastAt { get; init; }
    }

    sealed class ActivityRow
    {
        public Guid Id { get; init; }
        public string Type { get; init; } = "";
        public DateTime OccurredAt { get; init; }
        public string MetadataJson { get; init; } = "{}";
    }

    /// <summary>The contact with its activity totals and the activities of the retention window; null if unknown or deleted.</summary>
    public async Task<ContactFacts?> LoadAsync(Guid id, CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-options.Value.ActivityRetentionDays);
        await using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command("""
            select c.id, c.email, c.kind, c.first_name as firstname, c.last_name as lastname, c.phone, c.company, c.source, c.channel,
                   c.owner_id as ownerid, c.timezone, c.score, c.ai_score as aiscore, c.marketing_consent as marketingconsent,
                   c.consent_at as consentat, c.email_verified as emailverified, c.attributes::text as attributesjson, c.tags,
                   c.lead_state as leadstate, c.state_entered_at as stateenteredat, c.last_interaction_at as lastinteractionat,
                   c.purchase_count as purchasecount, c.created_at as createdat, c.updated_at as updatedat
              from segments.contacts c where c.id = @id and not c.deleted;
            select t.type, t.count, t.first_at as firstat, t.last_at as lastat from segments.contact_activity t where t.contact_id = @id;
            select a.id, a.type, a.occurred_at as occurredat, a.metadata::text as metadatajson
              from segments.activities a where a.contact_id = @id and a.occurred_at >= @since;
            """, new { id, since }, ct));
        var row = await grid.ReadSingleOrDefaultAsync<ContactRow>();
        var totals = (await grid.ReadAsync<TotalsRow>()).ToDictionary(t => t.Type,
            t => new ActivityTotals(t.Count, Utc(t.FirstAt), Utc(t.LastAt)), StringComparer.Ordinal);
        var activities = (await grid.ReadAsync<ActivityRow>())
            .Select(a => new ActivityFact(a.Id, a.Type, Utc(a.OccurredAt), Json(a.MetadataJson))).ToList();
        if (row is null)
            return null;
        return new ContactFacts
        {
            Id = row.Id, Email = row.Email, Kind = row.Kind, FirstName = row.FirstName, LastName = row.LastName, Phone = row.Phone,
            Company = row.Company, Source = row.Source, Channel = row.Channel, OwnerId = row.OwnerId, Timezone = row.Timezone,
            Score = row.Score, AiScore = row.AiScore, MarketingConsent = row.MarketingConsent, ConsentAt = Utc(row.ConsentAt),
            EmailVerified = row.EmailVerified, Attributes = Json(row.AttributesJson), Tags = row.Tags, LeadState = row.LeadState,
            StateEnteredAt = Utc(row.StateEnteredAt), LastInteractionAt = Utc(row.LastInteractionAt), PurchaseCount = row.PurchaseCount,
            CreatedAt = Utc(row.CreatedAt), UpdatedAt = Utc(row.UpdatedAt), ActivityTotals = totals, Activities = activities,
        };
    }

    /// <summary>The ids of the tenant's contacts that <paramref name="criteria"/> (compiled with alias <c>c</c>) selects.</summary>
    public async Task<IReadOnlyList<Guid>> MatchingIdsAsync(SqlFragment criteria, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command($"""
            select c.id from segments.contacts c
             where c.tenant_id = segments.current_tenant() and not c.deleted and ({criteria.Sql})
            """, criteria.Parameters, ct))).ToList();

    static DateTimeOffset Utc(DateTime value) => new(DateTime.SpecifyKind(value, DateTimeKind.Utc));

    static DateTimeOffset? Utc(DateTime? value) => value is { } v ? Utc(v) : null;

    static Dictionary<string, JsonElement> Json(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [];
}
