using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>How far each republish request has got in the tenant (<c>leads.snapshot_republish</c>).</summary>
public sealed class SnapshotRepublishStore(UnitOfWork unitOfWork)
{
    public sealed record Progress(int PageSize, int NextPage, Guid? AfterId, bool Done);

    /// <summary>The request's progress, created at page 1 with <paramref name="pageSize"/> if new, locked until commit.</summary>
    public async Task<Progress> LockAsync(Guid requestId, int pageSize, CancellationToken ct)
    {
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.snapshot_republish (tenant_id, request_id, page_size) values (leads.current_tenant(), @requestId, @pageSize)
            on conflict do nothing
            """, new { requestId, pageSize }, ct));
        return await unitOfWork.Connection.QuerySingleAsync<Progress>(unitOfWork.Command("""
            select page_size, next_page, after_id, done from leads.snapshot_republish where tenant_id = leads.current_tenant() and request_id = @requestId
            for update
            """, new { requestId }, ct));
    }

    public Task AdvanceAsync(Guid requestId, int nextPage, Guid? afterId, bool done, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            update leads.snapshot_republish set next_page = @nextPage, after_id = @afterId, done = @done, updated = now()
            where tenant_id = leads.current_tenant() and request_id = @requestId
            """, new { requestId, nextPage, afterId, done }, ct));
}
