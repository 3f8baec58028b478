using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>The tenant's owners and round-robin groups (under row-level security).</summary>
public sealed class OwnersStore(UnitOfWork unitOfWork)
{
    /// <summary>Creates or replaces an owner; true when it is new.</summary>
    public async Task<bool> UpsertAsync(string id, string name, string? email, bool active, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteScalarAsync<bool>(unitOfWork.Command("""
            insert into leads.owners (tenant_id, id, name, email, active) values (leads.current_tenant(), @id, @name, @email, @active)
            on conflict (tenant_id, id) do update set name = excluded.name, email = excluded.email, active = excluded.active, updated_at = now()
            returning (xmax = 0)
            """, new { id, name, email, active }, ct));

    public Task<Owner?> GetAsync(string id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Owner?>(unitOfWork.Command(
            "select id, name, email, active, created_at, updated_at from leads.owners where id = @id", new { id }, ct));

    public async Task<IReadOnlyList<Owner>> ListAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Owner>(unitOfWork.Command(
            "select id, name, email, active, created_at, updated_at from leads.owners order by name, id", null, ct))).AsList();

    /// <summary>The ids among <paramref name="ids"/> that are no owner of the tenant.</summary>
    public async Task<IReadOnlyList<string>> UnknownAsync(IReadOnlyList<string> ids, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<string>(unitOfWork.Command(
            "select w.id from unnest(@ids) as w(id) where not exists (select 1 from leads.owners o where o.id = w.id)", new { ids = ids.ToArray() }, ct))).AsList();

    public Task SetGroupAsync(string name, IReadOnlyList<string> members, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.owner_groups (tenant_id, name, members) values (leads.current_tenant(), @name, @members)
            on conflict (tenant_id, name) do update set members = excluded.members, updated_at = now(),
                   next = case when leads.owner_groups.members = excluded.members then leads.owner_groups.next else 0 end
            """, new { name, members = members.ToArray() }, ct));

    public async Task<(string[] Members, int Next)?> GroupAsync(string name, CancellationToken ct, bool forUpdate = false) =>
        await unitOfWork.Connection.QuerySingleOrDefaultAsync<(string[] Members, int Next)?>(unitOfWork.Command(
            "select members, next from leads.owner_groups where name = @name" + (forUpdate ? " for update" : ""), new { name }, ct));

    /// <summary>
    /// The next active member of the group in turn, the group's turn moved past them (the row is locked until commit, so
    /// concurrent assignments take turns); null when no member is active.
    /// </summary>
    public async Task<string?> NextInTurnAsync(string name, CancellationToken ct)
    {
        if (await GroupAsync(name, ct, forUpdate: true) is not { } group || group.Members.Length == 0)
            return null;
        var active = (await unitOfWork.Connection.QueryAsync<string>(unitOfWork.Command(
            "select id from leads.owners where active and id = any(@members)", new { members = group.Members }, ct))).ToHashSet();
        for (var step = 0; step < group.Members.Length; step++)
        {
            var position = (group.Next + step) % group.Members.Length;
            if (!active.Contains(group.Members[position]))
                continue;
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                "update leads.owner_groups set next = @next, updated_at = now() where name = @name", new { name, next = (position + 1) % group.Members.Length }, ct));
            return group.Members[position];
        }
        return null;
    }

    public async Task<bool> DeleteGroupAsync(string name, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.owner_groups where name = @name", new { name }, ct)) == 1;
}
