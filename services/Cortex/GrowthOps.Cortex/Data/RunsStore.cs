using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Cortex.Data;

/// <summary>A workflow run: pinned to <see cref="Version"/>, with its context (event, variables, steps' outputs).</summary>
public sealed record WorkflowRun(
    Guid Id, Guid WorkflowId, int Version, Guid? ContactId, string TriggerType, Guid TriggerEventId, string Status, bool DryRun, string Priority,
    JsonObject Context, int ActiveSteps, JsonArray HeldSteps, DateTime? WakeAt, string? Error, DateTime StartedAt, DateTime UpdatedAt, DateTime? FinishedAt)
{
    public static readonly string[] Live = ["running", "waiting", "paused"];

    public bool IsFinished => !Live.Contains(Status);
}

/// <summary>One line of a run's log: a step's input, output, duration and error.</summary>
public sealed record RunLog(
    long Id, Guid? StepId, string? NodeId, string? NodeType, int Attempt, string Status, string Message, JsonElement? Input, JsonElement? Output,
    string? Error, DateTime At, double? DurationMs);

/// <summary>A run waiting in a wait_until node.</summary>
public sealed record RunWait(Guid RunId, Guid StepId, string NodeId, Guid? ContactId, string? EventType, JsonElement? Conditions, DateTime TimeoutAt)
{
    /// <summary>The "event" a step waiting for the answer to its command waits for: no event on the bus has this type.</summary>
    public static string ReplyTo(Guid stepId) => $"reply:{stepId}";
}

public sealed record DeadLetter(
    Guid Id, Guid RunId, Guid WorkflowId, Guid StepId, string NodeId, int Attempts, string Error, JsonElement Message, DateTime CreatedAt,
    DateTime? ReplayedAt);

/// <summary>Runs, their steps, logs, waits, joins and dead letters, inside the tenant's unit of work.</summary>
public sealed class RunsStore(UnitOfWork unitOfWork)
{
    const string Columns = """
        r.id, r.workflow_id, r.version, r.contact_id, r.trigger_type, r.trigger_event_id, r.status, r.dry_run, r.priority, r.context::text as context,
        r.active_steps, r.held_steps::text as held_steps, r.wake_at, r.error, r.started_at, r.updated_at, r.finished_at
        """;

    sealed record Row(
        Guid Id, Guid WorkflowId, int Version, Guid? ContactId, string TriggerType, Guid TriggerEventId, string Status, bool DryRun, string Priority,
        string Context, int ActiveSteps, string HeldSteps, DateTime? WakeAt, string? Error, DateTime StartedAt, DateTime UpdatedAt, DateTime? FinishedAt)
    {
        public WorkflowRun ToRun() => new(Id, WorkflowId, Version, ContactId, TriggerType, TriggerEventId, Status, DryRun, Priority,
            JsonNode.Parse(Context)!.AsObject(), ActiveSteps, JsonNode.Parse(HeldSteps)!.AsArray(), WakeAt, Error, StartedAt, UpdatedAt, FinishedAt);
    }

    /// <summary>Inserts the run unless the event already started one for the workflow; true when it is new.</summary>
    public async Task<bool> InsertAsync(WorkflowRun r, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_runs (tenant_id, id, workflow_id, version, contact_id, trigger_type, trigger_event_id, status, dry_run, priority,
                                              context, active_steps, started_at, updated_at)
            values (cortex.current_tenant(), @Id, @WorkflowId, @Version, @ContactId, @TriggerType, @TriggerEventId, @Status, @DryRun, @Priority,
                    @Context::jsonb, @ActiveSteps, @StartedAt, @UpdatedAt)
            on conflict (tenant_id, workflow_id, trigger_event_id) do nothing
            """, new
        {
            r.Id, r.WorkflowId, r.Version, r.ContactId, r.TriggerType, r.TriggerEventId, r.Status, r.DryRun, r.Priority,
            Context = r.Context.ToJsonString(), r.ActiveSteps, r.StartedAt, r.UpdatedAt,
        }, ct)) == 1;

    public async Task<WorkflowRun?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from cortex.workflow_runs r where r.id = @id{(forUpdate ? " for update" : "")}", new { id }, ct)))?.ToRun();

    public Task UpdateAsync(WorkflowRun r, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.workflow_runs set status = @Status, context = @Context::jsonb, active_steps = @ActiveSteps, held_steps = @HeldSteps::jsonb,
                   wake_at = @WakeAt, error = @Error, updated_at = @UpdatedAt, finished_at = @FinishedAt
             where id = @Id
            """, new
        {
            r.Id, r.Status, Context = r.Context.ToJsonString(), r.ActiveSteps, HeldSteps = r.HeldSteps.ToJsonString(), r.WakeAt, r.Error, r.UpdatedAt,
            r.FinishedAt,
        }, ct));

    public async Task<Page<WorkflowRun>> ListAsync(Guid? workflowId, Guid? contactId, string? status, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            select {Columns} from cortex.workflow_runs r
             where (@workflowId::uuid is null or r.workflow_id = @workflowId) and (@contactId::uuid is null or r.contact_id = @contactId)
               and (@status::text is null or r.status = @status)
            """);
        var args = new DynamicParameters(new { workflowId, contactId, status });
        Keyset.Append(sql, args, page, "r.started_at", "r.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToRun()).ToList();
        return Keyset.Page(rows, page, r => (r.StartedAt, r.Id));
    }

    /// <summary>The contact's last run of the workflow (re-entry policy), under a lock on (workflow, contact) so two events do not both start one.</summary>
    public async Task<DateTime?> LastStartedAsync(Guid workflowId, Guid contactId, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "select pg_advisory_xact_lock(hashtextextended(@key, 0))", new { key = $"cortex-entry:{workflowId}:{contactId}" }, ct));
        return await unitOfWork.Connection.QuerySingleOrDefaultAsync<DateTime?>(unitOfWork.Command("""
            select max(started_at) from cortex.workflow_runs where contact_id = @contactId and workflow_id = @workflowId and not dry_run
            """, new { workflowId, contactId }, ct));
    }

    /// <summary>A workflow an event type triggers, with what the watcher needs of it (its filter, its re-entry policy).</summary>
    public sealed record TriggerMatch(Guid WorkflowId, int Version, JsonElement? Filter, string Reentry, int? ReentryDays);

    /// <summary>A live run of the contact whose workflow has a goal or exit criteria.</summary>
    public sealed record Ending(Guid RunId, JsonElement? Goal, JsonElement? ExitCriteria);

    /// <summary>What one event needs the watcher to know: the workflows its type triggers, the contact's runs it may end, the waits it may end.</summary>
    public sealed record Watch(IReadOnlyList<TriggerMatch> Triggers, IReadOnlyList<Ending> Endings, IReadOnlyList<RunWait> Waits);

    const string TriggerSql = """
        select workflow_id, version, filter::text as filter, reentry, reentry_days from cortex.workflow_triggers
         where tenant_id = cortex.current_tenant() and event_type = @eventType
        """;

    static List<TriggerMatch> Triggers(IEnumerable<TriggerRow> rows) =>
        rows.Select(t => new TriggerMatch(t.WorkflowId, t.Version, t.Filter is null ? null : Parse(t.Filter), t.Reentry, t.ReentryDays)).ToList();

    sealed record TriggerRow(Guid WorkflowId, int Version, string? Filter, string Reentry, int? ReentryDays);

    sealed record EndingRow(Guid RunId, string? Goal, string? ExitCriteria);

    /// <summary>
    /// Everything the watcher reads for an event, in one round trip: the trigger index (by tenant and type) with each workflow's
    /// re-entry policy, and (for an event with a contact) that contact's live runs whose workflow has a goal or exit, and its waits.
    /// </summary>
    public async Task<Watch> WatchAsync(string eventType, Guid? contactId, CancellationToken ct)
    {
        // One round trip for the three (an event with no contact reads the index alone).
        if (contactId is null)
            return new Watch(Triggers(await unitOfWork.Connection.QueryAsync<TriggerRow>(unitOfWork.Command(TriggerSql, new { eventType }, ct))), [], []);
        using var grid = await unitOfWork.Connection.QueryMultipleAsync(unitOfWork.Command($"""
            {TriggerSql};
            select r.id as run_id, w.goal::text as goal, w.exit_criteria::text as exit_criteria
              from cortex.workflow_runs r join cortex.workflows w on w.id = r.workflow_id
             where r.contact_id = @contactId and r.status in ('running', 'waiting', 'paused') and (w.goal is not null or w.exit_criteria is not null);
            select run_id, step_id, node_id, contact_id, event_type, conditions::text as conditions, timeout_at from cortex.workflow_run_waits
             where contact_id = @contactId and (event_type = @eventType or event_type is null)
            """, new { eventType, contactId }, ct));
        var triggers = Triggers(await grid.ReadAsync<TriggerRow>());
        var endings = (await grid.ReadAsync<EndingRow>())
            .Select(r => new Ending(r.RunId, r.Goal is null ? null : Parse(r.Goal), r.ExitCriteria is null ? null : Parse(r.ExitCriteria))).ToList();
        var waits = (await grid.ReadAsync<WaitRow>())
            .Select(w => new RunWait(w.RunId, w.StepId, w.NodeId, w.ContactId, w.EventType, Parse(w.Conditions), w.TimeoutAt)).ToList();
        return new Watch(triggers, endings, waits);
    }

    /// <summary>Claims (run, step, attempt, phase); false when it was executed before (a redelivery or a re-send).</summary>
    public async Task<bool> ClaimStepAsync(Guid runId, Guid stepId, int attempt, string phase, string nodeId, DateTime at, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_run_steps (tenant_id, run_id, step_id, attempt, phase, node_id, executed_at)
            values (cortex.current_tenant(), @runId, @stepId, @attempt, @phase, @nodeId, @at)
            on conflict do nothing
            """, new { runId, stepId, attempt, phase, nodeId, at }, ct)) == 1;

    /// <summary>The node a step of the run executed (for outcomes that name only the step).</summary>
    public Task<string?> NodeOfStepAsync(Guid runId, Guid stepId, CancellationToken ct) =>
        unitOfWork.Connection.QueryFirstOrDefaultAsync<string?>(unitOfWork.Command(
            "select node_id from cortex.workflow_run_steps where run_id = @runId and step_id = @stepId limit 1", new { runId, stepId }, ct));

    public Task LogAsync(Guid runId, Guid? stepId, string? nodeId, string? nodeType, int attempt, string status, string message, JsonNode? input,
        JsonNode? output, string? error, DateTime at, double? durationMs, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_run_logs (tenant_id, run_id, step_id, node_id, node_type, attempt, status, message, input, output, error, at, duration_ms)
            values (cortex.current_tenant(), @runId, @stepId, @nodeId, @nodeType, @attempt, @status, @message, @input::jsonb, @output::jsonb, @error, @at,
                    @durationMs)
            """, new
        {
            runId, stepId, nodeId, nodeType, attempt, status, message, input = input?.ToJsonString(), output = output?.ToJsonString(), error, at,
            durationMs,
        }, ct));

    sealed record LogRow(
        long Id, Guid? StepId, string? NodeId, string? NodeType, int Attempt, string Status, string Message, string? Input, string? Output, string? Error,
        DateTime At, double? DurationMs);

    public async Task<IReadOnlyList<RunLog>> LogsAsync(Guid runId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<LogRow>(unitOfWork.Command("""
            select id, step_id, node_id, node_type, attempt, status, message, input::text as input, output::text as output, error, at, duration_ms
              from cortex.workflow_run_logs where run_id = @runId order by id
            """, new { runId }, ct)))
        .Select(l => new RunLog(l.Id, l.StepId, l.NodeId, l.NodeType, l.Attempt, l.Status, l.Message, Parse(l.Input), Parse(l.Output), l.Error, l.At,
            l.DurationMs)).ToList();

    static JsonElement? Parse(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);

    public Task AddWaitAsync(RunWait w, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_run_waits (tenant_id, run_id, step_id, node_id, contact_id, event_type, conditions, timeout_at)
            values (cortex.current_tenant(), @RunId, @StepId, @NodeId, @ContactId, @EventType, @Conditions::jsonb, @TimeoutAt)
            on conflict do nothing
            """, new { w.RunId, w.StepId, w.NodeId, w.ContactId, w.EventType, Conditions = w.Conditions?.GetRawText(), w.TimeoutAt }, ct));

    /// <summary>Ends the wait (met or timed out); false when it had already ended the other way.</summary>
    public async Task<bool> EndWaitAsync(Guid runId, Guid stepId, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from cortex.workflow_run_waits where run_id = @runId and step_id = @stepId", new { runId, stepId }, ct)) == 1;

    /// <summary>Ends a wait for the answer to a step's command; its node, or null when it had ended (timed out, or answered before).</summary>
    public Task<string?> TakeReplyWaitAsync(Guid runId, Guid stepId, CancellationToken ct) =>
        unitOfWork.Connection.QueryFirstOrDefaultAsync<string?>(unitOfWork.Command(
            "delete from cortex.workflow_run_waits where run_id = @runId and step_id = @stepId and event_type = @type returning node_id",
            new { runId, stepId, type = RunWait.ReplyTo(stepId) }, ct));

    sealed record WaitRow(Guid RunId, Guid StepId, string NodeId, Guid? ContactId, string? EventType, string? Conditions, DateTime TimeoutAt);

    public Task DeleteWaitsAsync(Guid runId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.workflow_run_waits where run_id = @runId", new { runId }, ct));

    /// <summary>Records a branch's arrival at a join; returns how many branches have arrived (this one included).</summary>
    public async Task<int> ArriveAsync(Guid runId, string nodeId, Guid stepId, DateTime at, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_run_joins (tenant_id, run_id, node_id, step_id, arrived_at)
            values (cortex.current_tenant(), @runId, @nodeId, @stepId, @at) on conflict do nothing
            """, new { runId, nodeId, stepId, at }, ct));
        return await unitOfWork.Connection.ExecuteScalarAsync<int>(unitOfWork.Command(
            "select count(*) from cortex.workflow_run_joins where run_id = @runId and node_id = @nodeId", new { runId, nodeId }, ct));
    }

    public Task AddDeadLetterAsync(DeadLetter d, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.dead_letters (tenant_id, id, run_id, workflow_id, step_id, node_id, attempts, error, message, created_at)
            values (cortex.current_tenant(), @Id, @RunId, @WorkflowId, @StepId, @NodeId, @Attempts, @Error, @Message::jsonb, @CreatedAt)
            on conflict do nothing
            """, new { d.Id, d.RunId, d.WorkflowId, d.StepId, d.NodeId, d.Attempts, d.Error, Message = d.Message.GetRawText(), d.CreatedAt }, ct));

    sealed record DeadLetterRow(
        Guid Id, Guid RunId, Guid WorkflowId, Guid StepId, string NodeId, int Attempts, string Error, string Message, DateTime CreatedAt, DateTime? ReplayedAt)
    {
        public DeadLetter ToDeadLetter() => new(Id, RunId, WorkflowId, StepId, NodeId, Attempts, Error, JsonSerializer.Deserialize<JsonElement>(Message),
            CreatedAt, ReplayedAt);
    }

    const string DeadLetterColumns = "id, run_id, workflow_id, step_id, node_id, attempts, error, message::text as message, created_at, replayed_at";

    public async Task<Page<DeadLetter>> DeadLettersAsync(Guid? workflowId, bool includeReplayed, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"""
            select {DeadLetterColumns} from cortex.dead_letters
             where (@workflowId::uuid is null or workflow_id = @workflowId) and (@includeReplayed or replayed_at is null)
            """);
        var args = new DynamicParameters(new { workflowId, includeReplayed });
        Keyset.Append(sql, args, page, "created_at", "id");
        var rows = (await unitOfWork.Connection.QueryAsync<DeadLetterRow>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToDeadLetter()).ToList();
        return Keyset.Page(rows, page, d => (d.CreatedAt, d.Id));
    }

    public async Task<DeadLetter?> DeadLetterAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<DeadLetterRow>(unitOfWork.Command(
            $"select {DeadLetterColumns} from cortex.dead_letters where id = @id{(forUpdate ? " for update" : "")}", new { id }, ct)))?.ToDeadLetter();

    public Task MarkReplayedAsync(Guid id, DateTime at, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("update cortex.dead_letters set replayed_at = @at where id = @id", new { id, at }, ct));

    /// <summary>
    /// Per variant of an A/B split node: runs of the workflow (any version, no dry runs) that took it and have finished
    /// (trials), and those that finished converted (the goal reached).
    /// </summary>
    public async Task<IReadOnlyList<(string Variant, long Trials, long Successes, long Live)>> SplitOutcomesAsync(Guid workflowId, string nodeId,
        CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(string, long, long, long)>(unitOfWork.Command("""
            select l.output->>'variant', count(*) filter (where r.finished_at is not null), count(*) filter (where r.status = 'converted'),
                   count(*) filter (where r.finished_at is null)
              from cortex.workflow_run_logs l
              join cortex.workflow_runs r on r.tenant_id = l.tenant_id and r.id = l.run_id
             where l.node_id = @nodeId and l.node_type = 'ab_split' and l.status = 'ok' and r.workflow_id = @workflowId and not r.dry_run
             group by 1
            """, new { workflowId, nodeId }, ct))).ToList();

    /// <summary>Live runs of the workflow's version (no dry runs), locked: what a migration moves.</summary>
    public async Task<IReadOnlyList<WorkflowRun>> LiveOfVersionAsync(Guid workflowId, int version, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command($"""
            select {Columns} from cortex.workflow_runs r
             where r.workflow_id = @workflowId and r.version = @version and r.status in ('running', 'waiting', 'paused') and not r.dry_run
             order by r.started_at, r.id limit 10000 for update
            """, new { workflowId, version }, ct))).Select(r => r.ToRun()).ToList();

    /// <summary>The nodes a run waits in now: each step whose latest log line says it is waiting.</summary>
    public async Task<IReadOnlyList<string>> WaitingNodesAsync(Guid runId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<string>(unitOfWork.Command("""
            select node_id from (select distinct on (step_id) step_id, node_id, status from cortex.workflow_run_logs
                                  where run_id = @runId and step_id is not null and node_id is not null order by step_id, id desc) last
             where status = 'waiting'
            """, new { runId }, ct))).ToList();

    /// <summary>Moves a run to <paramref name="version"/>: its waits' and joins' node ids mapped, its context's node map set.</summary>
    public async Task MigrateAsync(WorkflowRun run, int version, IReadOnlyDictionary<string, string> map, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.workflow_runs set version = @version, context = @Context::jsonb, updated_at = @UpdatedAt where id = @Id
            """, new { run.Id, version, Context = run.Context.ToJsonString(), run.UpdatedAt }, ct));
        foreach (var (from, to) in map.Where(p => p.Key != p.Value))
        {
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                "update cortex.workflow_run_waits set node_id = @to where run_id = @Id and node_id = @from", new { run.Id, from, to }, ct));
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
                "update cortex.workflow_run_joins set node_id = @to where run_id = @Id and node_id = @from", new { run.Id, from, to }, ct));
        }
    }
}
