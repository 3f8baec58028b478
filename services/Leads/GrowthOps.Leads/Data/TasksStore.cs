using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>Tasks of the tenant (under row-level security).</summary>
public sealed class TasksStore(UnitOfWork unitOfWork)
{
    const string Select = """
        select id, title, description, contact_id, deal_id, due_at, timezone, assignee_id, priority, status, completed_at, completed_by, created_by,
               created_at, updated_at
          from leads.tasks t
        """;

    public Task InsertAsync(TaskItem task, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.tasks (tenant_id, id, title, description, contact_id, deal_id, due_at, timezone, assignee_id, priority, status,
                                     created_by, created_at, updated_at)
            values (leads.current_tenant(), @Id, @Title, @Description, @ContactId, @DealId, @DueAt, @Timezone, @AssigneeId, @Priority, 'open',
                    @CreatedBy, @CreatedAt, @UpdatedAt)
            """, task, ct));

    public Task<TaskItem?> GetAsync(Guid id, CancellationToken ct, bool forUpdate = false) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<TaskItem?>(unitOfWork.Command(Select + " where t.id = @id" + (forUpdate ? " for update" : ""), new { id }, ct));

    public Task UpdateAsync(TaskItem task, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.tasks set title = @Title, description = @Description, due_at = @DueAt, timezone = @Timezone, assignee_id = @AssigneeId,
                   priority = @Priority, status = @Status, completed_at = @CompletedAt, completed_by = @CompletedBy, updated_at = @UpdatedAt
             where id = @Id
            """, task, ct));

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.tasks where id = @id", new { id }, ct)) == 1;

    public sealed record ListFilter(string? Status, Guid? ContactId, Guid? DealId, string? AssigneeId, bool Overdue, DateTime Now);

    public async Task<Page<TaskItem>> ListAsync(ListFilter filter, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(Select).Append(" where true");
        var args = new DynamicParameters();
        if (filter.Overdue)
        {
            sql.Append(" and t.status = 'open' and t.due_at < @now");
            args.Add("now", filter.Now);
        }
        if (filter.Status is { } status)
        {
            sql.Append(" and t.status = @status");
            args.Add("status", status);
        }
        if (filter.ContactId is { } contact)
        {
            sql.Append(" and t.contact_id = @contact");
            args.Add("contact", contact);
        }
        if (filter.DealId is { } deal)
        {
            sql.Append(" and t.deal_id = @deal");
            args.Add("deal", deal);
        }
        if (filter.AssigneeId is { } assignee)
        {
            sql.Append(" and t.assignee_id = @assignee");
            args.Add("assignee", assignee);
        }
        Keyset.Append(sql, args, page, "t.created_at", "t.id");
        var rows = (await unitOfWork.Connection.QueryAsync<TaskItem>(unitOfWork.Command(sql.ToString(), args, ct))).AsList();
        return Keyset.Page(rows, page, t => (t.CreatedAt, t.Id));
    }
}
