using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Cortex.Data;

public sealed record Notification(Guid Id, string UserId, string Title, string? Body, string? Link, Guid? WorkflowId, Guid? RunId, Guid? ContactId,
    DateTime CreatedAt, DateTime? ReadAt);

/// <summary>The per-user inbox of in-app notifications (cortex.notifications).</summary>
public sealed class NotificationsStore(UnitOfWork unitOfWork)
{
    const string Columns = "id, user_id, title, body, link, workflow_id, run_id, contact_id, created_at, read_at";

    /// <summary>Adds the notification unless its id (the step's) is there already.</summary>
    public Task AddAsync(Notification n, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.notifications (tenant_id, id, user_id, title, body, link, workflow_id, run_id, contact_id, created_at)
            values (cortex.current_tenant(), @Id, @UserId, @Title, @Body, @Link, @WorkflowId, @RunId, @ContactId, @CreatedAt)
            on conflict (tenant_id, id) do nothing
            """, n, ct));

    public async Task<Page<Notification>> ListAsync(string userId, bool unreadOnly, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder($"select {Columns} from cortex.notifications where user_id = @userId and (not @unreadOnly or read_at is null)");
        var args = new DynamicParameters(new { userId, unreadOnly });
        Keyset.Append(sql, args, page, "created_at", "id");
        var rows = (await unitOfWork.Connection.QueryAsync<Notification>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, n => (n.CreatedAt, n.Id));
    }

    public Task<long> UnreadAsync(string userId, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteScalarAsync<long>(unitOfWork.Command(
            "select count(*) from cortex.notifications where user_id = @userId and read_at is null", new { userId }, ct));

    /// <summary>Marks one of the user's notifications read (null: not theirs, or none).</summary>
    public Task<Notification?> MarkReadAsync(string userId, Guid id, DateTime at, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Notification>(unitOfWork.Command($"""
            update cortex.notifications set read_at = coalesce(read_at, @at) where user_id = @userId and id = @id returning {Columns}
            """, new { userId, id, at }, ct));

    public Task<int> MarkAllReadAsync(string userId, DateTime at, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "update cortex.notifications set read_at = @at where user_id = @userId and read_at is null", new { userId, at }, ct));
}
