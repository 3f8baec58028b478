using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Segments.Data;

/// <summary>
/// Reads the contacts read model for criteria, always inside the tenant's unit of work (row-level security scopes every
/// query): one contact as <see cref="ContactFacts"/> for the in-memory back end, and the contacts a compiled
/// <see cref="SqlFragment"/> selects. Tombstones (deleted contacts) are never members.
/// </summary>
public sealed class ContactFactsStore(UnitOfWork unitOfWork, TimeProvider clock, IOptions<SegmentsOptions> options)
{
    /// <summary>The contact with its activity totals and the activities of the retention window; null if unknown or deleted.</summary>
    public async Task<ContactFacts?> LoadAsync(Guid id, CancellationToken ct)
    {
        var since = clock.GetUtcNow().AddDays(-options.Value.ActivityRetentionDays);
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                new("""
                    select c.email, c.kind, c.first_name, c.last_name, c.phone, c.company, c.source, c.channel, c.owner_id, c.timezone,
                           c.lead_state, c.score, c.ai_score, c.purchase_count, c.marketing_consent, c.email_verified, c.consent_at,
                           c.state_entered_at, c.last_interaction_at, c.created_at, c.updated_at, c.attributes::text, c.tags, c.predicted_conversion
                      from segments.contacts c where c.id = $1 and not c.deleted
                    """) { Parameters = { new() { Value = id } } },
                new("select t.type, t.count, t.first_at, t.last_at from segments.contact_activity t where t.contact_id = $1")
                    { Parameters = { new() { Value = id } } },
                new("""
                    select a.id, a.type, a.occurred_at, a.metadata::text from segments.activities a
                     where a.contact_id = $1 and a.occurred_at >= $2
                    """) { Parameters = { new() { Value = id }, new() { Value = since } } },
            },
        };
        await using var r = await batch.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
            return null;
        string? Text(int i) => r.IsDBNull(i) ? null : r.GetString(i);
        int? Int(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
        DateTimeOffset? Instant(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        var contact = new ContactFacts
        {
            Id = id, Email = Text(0), Kind = Text(1), FirstName = Text(2), LastName = Text(3), Phone = Text(4), Company = Text(5),
            Source = Text(6), Channel = Text(7), OwnerId = Text(8), Timezone = Text(9), LeadState = Text(10), Score = r.GetInt32(11),
            AiScore = Int(12), PurchaseCount = Int(13), MarketingConsent = r.GetBoolean(14), EmailVerified = r.GetBoolean(15),
            ConsentAt = Instant(16), StateEnteredAt = Instant(17), LastInteractionAt = Instant(18), CreatedAt = Instant(19)!.Value,
            UpdatedAt = Instant(20)!.Value, Attributes = Json(r.GetString(21)), Tags = r.GetFieldValue<string[]>(22),
            PredictedConversion = r.IsDBNull(23) ? null : r.GetDecimal(23),
        };

        await r.NextResultAsync(ct);
        var totals = new Dictionary<string, ActivityTotals>(StringComparer.Ordinal);
        while (await r.ReadAsync(ct))
            totals[r.GetString(0)] = new ActivityTotals(r.GetInt64(1), r.GetFieldValue<DateTimeOffset>(2), r.GetFieldValue<DateTimeOffset>(3));

        await r.NextResultAsync(ct);
        var activities = new List<ActivityFact>();
        while (await r.ReadAsync(ct))
            activities.Add(new ActivityFact(r.GetGuid(0), r.GetString(1), r.GetFieldValue<DateTimeOffset>(2), Json(r.GetString(3))));
        return contact with { ActivityTotals = totals, Activities = activities };
    }

    /// <summary>The ids of the tenant's contacts that <paramref name="criteria"/> (compiled with alias <c>c</c>) selects.</summary>
    public async Task<IReadOnlyList<Guid>> MatchingIdsAsync(SqlFragment criteria, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Guid>(unitOfWork.Command($"""
            select c.id from segments.contacts c
             where c.tenant_id = segments.current_tenant() and not c.deleted and ({criteria.Sql})
            """, criteria.Parameters, ct))).ToList();

    static Dictionary<string, JsonElement> Json(string json) =>
        JsonSerializer.Deserialize<Dictionary<string, JsonElement>>(json) ?? [];
}
