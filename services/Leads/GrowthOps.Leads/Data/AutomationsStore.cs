using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Dapper;
using GrowthOps.Leads.Domain;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>State automations and their executions (<c>leads.lead_state_automations</c>, <c>leads.automation_executions</c>).</summary>
public sealed class AutomationsStore(UnitOfWork unitOfWork)
{
    /// <summary>How conditions, actions and results are stored: snake_case like the API, nulls left out.</summary>
    public static readonly JsonSerializerOptions Json = CreateJson();

    const string Select = """
        select a.id, a.name, a.trigger, a.state_id, s.name as state, a.from_state_id, f.name as from_state, a.to_state_id, t.name as to_state,
               a.conditions::text as conditions_json, a.actions::text as actions_json, a.is_active, a.execution_count, a.last_executed_at,
               a.created, a.updated
        from leads.lead_state_automations a
        left join leads.lead_states s on s.tenant_id = a.tenant_id and s.id = a.state_id
        left join leads.lead_states f on f.tenant_id = a.tenant_id and f.id = a.from_state_id
        left join leads.lead_states t on t.tenant_id = a.tenant_id and t.id = a.to_state_id
        """;

    const string SelectExecution = """
        select e.id, e.automation_id, a.name as automation_name, e.contact_id, e.history_id, e.status, e.results::text as results_json, e.error,
               e.executed_at
        from leads.automation_executions e
        join leads.lead_state_automations a on a.tenant_id = e.tenant_id and a.id = e.automation_id
        """;

    sealed record Row(
        Guid Id, string Name, string Trigger, Guid? StateId, string? State, Guid? FromStateId, string? FromState, Guid? ToStateId, string? ToState,
        string ConditionsJson, string ActionsJson, bool IsActive, long ExecutionCount, DateTime? LastExecutedAt, DateTime Created, DateTime Updated)
    {
        public Automation ToAutomation() => new(Id, Name, Trigger, StateId, State, FromStateId, FromState, ToStateId, ToState,
            JsonSerializer.Deserialize<List<AutomationCondition>>(ConditionsJson, Json) ?? [],
            JsonSerializer.Deserialize<List<AutomationAction>>(ActionsJson, Json) ?? [], IsActive, ExecutionCount, LastExecutedAt, Created, Updated);
    }

    public async Task<IReadOnlyList<Automation>> ListAsync(string? trigger, bool? isActive, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command($"""
            {Select}
            where (@trigger::text is null or a.trigger = @trigger) and (@isActive::boolean is null or a.is_active = @isActive)
            order by a.created, a.id
            """, new { trigger, isActive }, ct))).Select(r => r.ToAutomation()).ToList();

    public async Task<Automation?> GetAsync(Guid id, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command($"{Select} where a.id = @id", new { id }, ct)))?.ToAutomation();

    /// <summary>The active automations a change from <paramref name="fromStateId"/> to <paramref name="toStateId"/> triggers, oldest first.</summary>
    public async Task<IReadOnlyList<Automation>> MatchingAsync(Guid? fromStateId, Guid toStateId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command($"""
            {Select}
            where leads.automation_matches(a, @fromStateId, @toStateId)
            order by a.created, a.id
            """, new { fromStateId, toStateId }, ct))).Select(r => r.ToAutomation()).ToList();

    public Task<long> CountAsync(CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<long>(unitOfWork.Command("select count(*) from leads.lead_state_automations", null, ct));

    public Task InsertAsync(Automation a, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.lead_state_automations (tenant_id, id, name, trigger, state_id, from_state_id, to_state_id, conditions, actions, is_active)
            values (leads.current_tenant(), @Id, @Name, @Trigger, @StateId, @FromStateId, @ToStateId, @Conditions::jsonb, @Actions::jsonb, @IsActive)
            """, Params(a), ct));

    public Task UpdateAsync(Automation a, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.lead_state_automations set name = @Name, trigger = @Trigger, state_id = @StateId, from_state_id = @FromStateId,
              to_state_id = @ToStateId, conditions = @Conditions::jsonb, actions = @Actions::jsonb, is_active = @IsActive, updated = now()
            where id = @Id
            """, Params(a), ct));

    /// <summary>Deletes the automation and (by cascade) its executions.</summary>
    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.lead_state_automations where id = @id", new { id }, ct)) == 1;

    /// <summary>
    /// Claims the (automation, state change) pair by inserting its execution; false when it already has one. A concurrent
    /// claim of the same pair waits on the unique key until the first commits (then false) or rolls back (then true), so an
    /// automation's actions run at most once per state change whatever happens to the messages.
    /// </summary>
    public async Task<bool> TryClaimExecutionAsync(Guid id, Guid automationId, Guid contactId, Guid historyId, string status, string? error,
        DateTime executedAt, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.automation_executions (tenant_id, id, automation_id, contact_id, history_id, status, error, executed_at)
            values (leads.current_tenant(), @id, @automationId, @contactId, @historyId, @status, @error, @executedAt)
            on conflict (tenant_id, automation_id, history_id) do nothing
            """, new { id, automationId, contactId, historyId, status, error, executedAt }, ct)) == 1;

    public Task CompleteExecutionAsync(Guid id, string status, IReadOnlyList<AutomationActionResult> results, string? error, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.automation_executions set status = @status, results = @results::jsonb, error = @error where id = @id
            """, new { id, status, results = JsonSerializer.Serialize(results, Json), error }, ct));

    /// <summary>
    /// Counts one execution for each automation. Locks their rows until commit, so call it last, with all ids at once: the rows
    /// are locked in id order, so two messages counting the same automations never deadlock.
    /// </summary>
    public Task CountExecutionsAsync(IReadOnlyCollection<Guid> automationIds, DateTime at, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            select 1 from leads.lead_state_automations where id = any(@ids) order by id for update;
            update leads.lead_state_automations set execution_count = execution_count + 1, last_executed_at = greatest(last_executed_at, @at)
            where id = any(@ids);
            """, new { ids = automationIds.Distinct().ToArray(), at }, ct));

    /// <summary>Newest first; one automation's or one contact's.</summary>
    public async Task<Page<AutomationExecution>> ListExecutionsAsync(Guid? automationId, Guid? contactId, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(SelectExecution).Append(" where true");
        var args = new DynamicParameters();
        if (automationId is { } a)
        {
            sql.Append(" and e.automation_id = @automationId");
            args.Add("automationId", a);
        }

        if (contactId is { } c)
        {
            sql.Append(" and e.contact_id = @contactId");
            args.Add("contactId", c);
        }

        Keyset.Append(sql, args, page, "e.executed_at", "e.id");
        var rows = (await unitOfWork.Connection.QueryAsync<AutomationExecution>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, r => (r.ExecutedAt, r.Id));
    }

    static object Params(Automation a) => new
    {
        a.Id, a.Name, a.Trigger, a.StateId, a.FromStateId, a.ToStateId, Conditions = JsonSerializer.Serialize(a.Conditions, Json),
        Actions = JsonSerializer.Serialize(a.Actions, Json), a.IsActive,
    };

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        options.DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull;
        return options;
    }
}
