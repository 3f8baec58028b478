namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// A tenant's whole read model as one canonical JSON text, to compare two read models built from the same events. Left
/// out: bookkeeping (<c>applied_at</c>, <c>rebuild_seen_at</c>), <c>consent_at</c> (approximated, see
/// <see cref="Data.ReadModelStore"/>), and of a tombstone all but its id and deletion time (it keeps no data). Read as a
/// superuser, past row-level security, so it sees stubs and tombstones as they are.
/// </summary>
public static class ReadModelDump
{
    public static Task<string> OfAsync(TestDatabase database, Guid tenantId) => database.ScalarAsync<string>("""
        select jsonb_build_object(
          'contacts', (select coalesce(jsonb_agg(case when c.deleted_at is not null then jsonb_build_object('id', c.id, 'deleted_at', c.deleted_at)
                                                  else to_jsonb(c) - 'tenant_id' - 'applied_at' - 'rebuild_seen_at' - 'consent_at' end
                                                  order by c.id), '[]') from segments.contacts c where c.tenant_id = $1),
          'totals', (select coalesce(jsonb_agg(to_jsonb(t) - 'tenant_id' order by t.contact_id, t.type), '[]')
                       from segments.contact_activity t where t.tenant_id = $1),
          'activities', (select coalesce(jsonb_agg(to_jsonb(a) - 'tenant_id' order by a.id), '[]') from segments.activities a where a.tenant_id = $1)
        )::text
        """, tenantId);

    /// <summary>Columns of one contact's row as PostgreSQL prints a row, <c>(3,v3,f)</c>; null when there is no row.</summary>
    public static Task<string> RowAsync(TestDatabase database, Guid tenantId, Guid contactId, string columns) => database.ScalarAsync<string>(
        $"select row({columns})::text from segments.contacts where tenant_id = $1 and id = $2", tenantId, contactId);
}
