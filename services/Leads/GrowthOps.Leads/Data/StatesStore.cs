using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>Lead states and the allowed transitions between them.</summary>
public sealed class StatesStore(UnitOfWork unitOfWork)
{
    const string SelectTransition = """
        select t.id, t.from_state_id, f.name as from_state, t.to_state_id, s.name as to_state, t.name, t.requires_notes, t.created
        from leads.lead_transitions t
        join leads.lead_states s on s.tenant_id = t.tenant_id and s.id = t.to_state_id
        left join leads.lead_states f on f.tenant_id = t.tenant_id and f.id = t.from_state_id
        """;

    const string StateColumns = "id, name, color, position, description, is_terminal, is_default, created, updated";

    public async Task<IReadOnlyList<LeadState>> ListAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<LeadState>(unitOfWork.Command($"select {StateColumns} from leads.lead_states order by position, name", null, ct))).ToList();

    /// <summary>By id, or by name (case-insensitive) — the API accepts either.</summary>
    public Task<LeadState?> FindAsync(string idOrName, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<LeadState>(unitOfWork.Command(
            $"""
            select {StateColumns} from leads.lead_states
            where tenant_id = leads.current_tenant() and (id::text = @idOrName or lower(name) = lower(@idOrName))
            """, new { idOrName }, ct));

    public Task<long> CountAsync(CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<long>(unitOfWork.Command("select count(*) from leads.lead_states", null, ct));

    public Task<LeadState?> GetAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<LeadState>(unitOfWork.Command($"select {StateColumns} from leads.lead_states where id = @id", new { id }, ct));

    public async Task<bool> TryCreateAsync(LeadState state, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.lead_states (tenant_id, id, name, color, position, description, is_terminal)
            values (leads.current_tenant(), @Id, @Name, @Color, @Position, @Description, @IsTerminal)
            on conflict (tenant_id, name) do nothing
            """, state, ct)) == 1;

    public Task UpdateAsync(LeadState state, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.lead_states set name = @Name, color = @Color, position = @Position, description = @Description,
              is_terminal = @IsTerminal, updated = now()
            where id = @Id
            """, state, ct));

    public Task<long> ContactsInStateAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<long>(unitOfWork.Command("select count(*) from leads.contacts where state_id = @id", new { id }, ct));

    /// <summary>Deletes the state and the transitions that lead to or from it.</summary>
    public async Task DeleteAsync(Guid id, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.lead_transitions where from_state_id = @id or to_state_id = @id", new { id }, ct));
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.lead_states where id = @id", new { id }, ct));
    }

    public async Task<IReadOnlyList<LeadTransition>> ListTransitionsAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<LeadTransition>(unitOfWork.Command($"{SelectTransition} order by f.position nulls last, s.position", null, ct))).ToList();

    public Task<LeadTransition?> GetTransitionAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<LeadTransition>(unitOfWork.Command($"{SelectTransition} where t.id = @id", new { id }, ct));

    /// <summary>States reachable from <paramref name="fromStateId"/> in one transition.</summary>
    public async Task<IReadOnlyList<LeadState>> AllowedTargetsAsync(Guid? fromStateId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<LeadState>(unitOfWork.Command("""
            select distinct s.id, s.name, s.color, s.position, s.description, s.is_terminal, s.is_default, s.created, s.updated from leads.lead_transitions t join leads.lead_states s on s.tenant_id = t.tenant_id and s.id = t.to_state_id
            where (t.from_state_id = @fromStateId or t.from_state_id is null) and s.id is distinct from @fromStateId
            order by s.position
            """, new { fromStateId }, ct))).ToList();

    public async Task<bool> TryCreateTransitionAsync(Guid id, Guid? fromStateId, Guid toStateId, string? name, bool requiresNotes, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.lead_transitions (tenant_id, id, from_state_id, to_state_id, name, requires_notes)
            values (leads.current_tenant(), @id, @fromStateId, @toStateId, @name, @requiresNotes)
            on conflict do nothing
            """, new { id, fromStateId, toStateId, name, requiresNotes }, ct)) == 1;

    public async Task<bool> DeleteTransitionAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.lead_transitions where id = @id", new { id }, ct)) == 1;
}
