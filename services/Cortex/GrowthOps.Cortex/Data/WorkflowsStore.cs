using System.Text;
using System.Text.Json;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Cortex.Data;

/// <summary>A workflow as stored: its draft graph, settings and status, and which version is live.</summary>
public sealed record Workflow(
    Guid Id, string Name, string? Description, string Status, JsonElement Graph, string Reentry, int? ReentryDays, JsonElement? Goal,
    JsonElement? ExitCriteria, int? CurrentVersion, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>A published version: the graph as it was published, never changed after.</summary>
public sealed record WorkflowVersion(Guid WorkflowId, int Version, JsonElement Graph, string TriggerType, string? PublishedBy, DateTime PublishedAt);

/// <summary>Workflows and their versions, inside the tenant's unit of work (row-level security scopes every query).</summary>
public sealed class WorkflowsStore(UnitOfWork unitOfWork)
{
    const string Columns = """
        w.id, w.name, w.description, w.status, w.graph::text as graph, w.reentry, w.reentry_days, w.goal::text as goal, w.exit_criteria::text as exit_criteria,
        w.current_version, w.created_by, w.created_at, w.updated_at
        """;

    sealed record Row(Guid Id, string Name, string? Description, string Status, string Graph, string Reentry, int? ReentryDays, string? Goal,
        string? ExitCriteria, int? CurrentVersion, string? CreatedBy, DateTime CreatedAt, DateTime UpdatedAt)
    {
        public Workflow ToWorkflow() => new(Id, Name, Description, Status, Parse(Graph), Reentry, ReentryDays, Goal is null ? null : Parse(Goal),
            ExitCriteria is null ? null : Parse(ExitCriteria), CurrentVersion, CreatedBy, CreatedAt, UpdatedAt);
    }

    sealed record VersionRow(Guid WorkflowId, int Version, string Graph, string TriggerType, string? PublishedBy, DateTime PublishedAt)
    {
        public WorkflowVersion ToVersion() => new(WorkflowId, Version, Parse(Graph), TriggerType, PublishedBy, PublishedAt);
    }

    static JsonElement Parse(string json) => JsonSerializer.Deserialize<JsonElement>(json);

    static string? Text(JsonElement? e) => e is { ValueKind: not (JsonValueKind.Undefined or JsonValueKind.Null) } v ? v.GetRawText() : null;

    public Task<int> InsertAsync(Workflow w, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflows (tenant_id, id, name, description, status, graph, reentry, reentry_days, goal, exit_criteria, created_by,
                                          created_at, updated_at)
            values (cortex.current_tenant(), @Id, @Name, @Description, @Status, @Graph::json, @Reentry, @ReentryDays, @Goal::jsonb, @ExitCriteria::jsonb,
                    @CreatedBy, @CreatedAt, @UpdatedAt)
            """, Params(w), ct));

    public Task UpdateAsync(Workflow w, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update cortex.workflows set name = @Name, description = @Description, status = @Status, graph = @Graph::json, reentry = @Reentry,
                   reentry_days = @ReentryDays, goal = @Goal::jsonb, exit_criteria = @ExitCriteria::jsonb, current_version = @CurrentVersion,
                   updated_at = @UpdatedAt
             where id = @Id;
            update cortex.workflow_triggers set reentry = @Reentry, reentry_days = @ReentryDays
             where workflow_id = @Id and (reentry, reentry_days) is distinct from (@Reentry, @ReentryDays)
            """, Params(w), ct));

    static object Params(Workflow w) => new
    {
        w.Id, w.Name, w.Description, w.Status, Graph = w.Graph.GetRawText(), w.Reentry, w.ReentryDays, Goal = Text(w.Goal), ExitCriteria = Text(w.ExitCriteria),
        w.CurrentVersion, w.CreatedBy, w.CreatedAt, w.UpdatedAt,
    };

    public async Task<Workflow?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<Row>(unitOfWork.Command(
            $"select {Columns} from cortex.workflows w where w.id = @id{(forUpdate ? " for update" : "")}", new { id }, ct)))?.ToWorkflow();

    public async Task<Page<Workflow>> ListAsync(string? status, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from cortex.workflows w where (@status::text is null or w.status = @status)");
        var args = new DynamicParameters(new { status });
        Keyset.Append(sql, args, page, "w.created_at", "w.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Row>(unitOfWork.Command(sql.ToString(), args, ct))).Select(r => r.ToWorkflow()).ToList();
        return Keyset.Page(rows, page, w => (w.CreatedAt, w.Id));
    }

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.workflows where id = @id", new { id }, ct)) == 1;

    public Task InsertVersionAsync(WorkflowVersion v, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.workflow_versions (tenant_id, workflow_id, version, graph, trigger_type, published_by, published_at)
            values (cortex.current_tenant(), @WorkflowId, @Version, @Graph::json, @TriggerType, @PublishedBy, @PublishedAt)
            """, new { v.WorkflowId, v.Version, Graph = v.Graph.GetRawText(), v.TriggerType, v.PublishedBy, v.PublishedAt }, ct));

    public async Task<IReadOnlyList<WorkflowVersion>> VersionsAsync(Guid workflowId, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<VersionRow>(unitOfWork.Command("""
            select workflow_id, version, graph::text as graph, trigger_type, published_by, published_at from cortex.workflow_versions
             where workflow_id = @workflowId order by version
            """, new { workflowId }, ct))).Select(r => r.ToVersion()).ToList();

    public async Task<WorkflowVersion?> VersionAsync(Guid workflowId, int version, CancellationToken ct) =>
        (await unitOfWork.Connection.QuerySingleOrDefaultAsync<VersionRow>(unitOfWork.Command("""
            select workflow_id, version, graph::text as graph, trigger_type, published_by, published_at from cortex.workflow_versions
             where workflow_id = @workflowId and version = @version
            """, new { workflowId, version }, ct)))?.ToVersion();

    /// <summary>The workflow starts runs on <paramref name="eventType"/> events with <paramref name="version"/>, or (null) on none.</summary>
    public async Task SetTriggerAsync(Guid workflowId, string? eventType, int? version, JsonElement? filter, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from cortex.workflow_triggers where tenant_id = cortex.current_tenant() and workflow_id = @workflowId", new { workflowId }, ct));
        if (eventType is not null)
            await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
                insert into cortex.workflow_triggers (tenant_id, event_type, workflow_id, version, filter, reentry, reentry_days)
                select cortex.current_tenant(), @eventType, @workflowId, @version, @filter::jsonb, w.reentry, w.reentry_days
                  from cortex.workflows w where w.id = @workflowId
                """, new { eventType, workflowId, version, filter = Text(filter) }, ct));
    }

    /// <summary>The active workflows a type of event starts, with their trigger filters (what the watcher reads).</summary>
    public async Task<IReadOnlyList<(Guid WorkflowId, int Version, JsonElement? Filter)>> TriggersAsync(string eventType, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, int, string?)>(unitOfWork.Command("""
            select workflow_id, version, filter::text from cortex.workflow_triggers where tenant_id = cortex.current_tenant() and event_type = @eventType
            """, new { eventType }, ct))).Select(t => (t.Item1, t.Item2, t.Item3 is null ? (JsonElement?)null : Parse(t.Item3))).ToList();

    /// <summary>The active workflows a type of event starts (what the trigger matcher reads).</summary>
    public async Task<IReadOnlyList<(Guid WorkflowId, int Version)>> TriggeredByAsync(string eventType, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(Guid, int)>(unitOfWork.Command("""
            select workflow_id, version from cortex.workflow_triggers where tenant_id = cortex.current_tenant() and event_type = @eventType
            """, new { eventType }, ct))).ToList();
}
