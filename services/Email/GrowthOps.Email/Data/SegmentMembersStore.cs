using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>
/// Email's copy of segment membership from Segments' events. Each row keeps the time of the newest change applied, so an
/// older event arriving late (an "entered" after the "exited" that followed it) changes nothing; a repeat changes nothing.
/// </summary>
public sealed class SegmentMembersStore(UnitOfWork unitOfWork)
{
    public async Task ApplyAsync(Guid segmentId, string segmentName, IReadOnlyList<Guid> entered, IReadOnlyList<Guid> exited,
        DateTimeOffset occurredAt, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                Command("""
                    insert into email.segments as s (tenant_id, segment_id, name, updated_at) values (email.current_tenant(), $1, $2, $3)
                    on conflict (tenant_id, segment_id) do update set name = excluded.name, updated_at = excluded.updated_at
                    where excluded.updated_at >= s.updated_at
                    """, segmentId, segmentName, occurredAt),
                Command("""
                    insert into email.segment_members as m (tenant_id, segment_id, contact_id, member, changed_at)
                    select email.current_tenant(), $1, c.id, c.member, $4
                      from (select unnest($2::uuid[]) as id, true as member union all select unnest($3::uuid[]), false) c
                    on conflict (tenant_id, segment_id, contact_id) do update set member = excluded.member, changed_at = excluded.changed_at
                    where excluded.changed_at > m.changed_at
                    """, segmentId, entered.Distinct().ToArray(), exited.Distinct().ToArray(), occurredAt),
            },
        };
        await batch.ExecuteNonQueryAsync(ct);
    }
}
