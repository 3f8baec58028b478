using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>
/// Email's read model of recipients from Leads' contact events, in the tenant's unit of work (the consumed message's).
/// Safe to repeat and to receive in any order: a snapshot applies only over an older version, a tombstone is final.
/// </summary>
public sealed class RecipientsStore(UnitOfWork unitOfWork)
{
    const string Upsert = """
        insert into email.recipients as r (tenant_id, contact_id, version, deleted, email, first_name, last_name, company, phone, timezone,
          lead_state, marketing_consent, attributes, tags, updated_at)
        values (email.current_tenant(), $1, $2, false, $3, $4, $5, $6, $7, $8, $9, $10, $11::jsonb, $12, $13)
        on conflict (tenant_id, contact_id) do update set
          version = excluded.version, email = excluded.email, first_name = excluded.first_name, last_name = excluded.last_name,
          company = excluded.company, phone = excluded.phone, timezone = excluded.timezone, lead_state = excluded.lead_state,
          marketing_consent = excluded.marketing_consent, attributes = excluded.attributes, tags = excluded.tags,
          updated_at = excluded.updated_at, applied_at = now()
        where not r.deleted
          and (excluded.version > r.version or (excluded.version = 0 and r.version = 0 and excluded.updated_at > r.updated_at))
        """;

    /// <summary>Applies snapshots (sorted by id, so that concurrent pages lock rows in one order); returns how many it applied.</summary>
    public async Task<int> ApplyAsync(IReadOnlyList<ContactSnapshot> snapshots, CancellationToken ct)
    {
        if (snapshots.Count == 0)
            return 0;
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction);
        foreach (var s in snapshots.OrderBy(s => s.Id))
            batch.BatchCommands.Add(Command(Upsert, s.Id, s.Version, s.Email, s.FirstName, s.LastName, s.Company, s.Phone, s.Timezone,
                s.LeadState, s.MarketingConsent, JsonSerializer.Serialize(s.Attributes ?? new Dictionary<string, JsonElement>()),
                (string[])[.. s.Tags ?? []], s.UpdatedAt));
        await batch.ExecuteNonQueryAsync(ct);
        return batch.BatchCommands.Cast<NpgsqlBatchCommand>().Count(c => c.RecordsAffected > 0);
    }

    /// <summary>Makes the contact a tombstone (its personal data goes); its segment memberships go with it.</summary>
    public async Task TombstoneAsync(Guid contactId, DateTimeOffset deletedAt, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("""
                    insert into email.recipients as r (tenant_id, contact_id, version, deleted, updated_at)
                    values (email.current_tenant(), $1, 9223372036854775807, true, $2)
                    on conflict (tenant_id, contact_id) do update set version = excluded.version, deleted = true, email = null,
                      first_name = null, last_name = null, company = null, phone = null, timezone = null, lead_state = null,
                      marketing_consent = false, attributes = '{}', tags = '{}', updated_at = excluded.updated_at, applied_at = now()
                    """, contactId, deletedAt),
                Command("delete from email.segment_members where tenant_id = email.current_tenant() and contact_id = $1", contactId),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}
