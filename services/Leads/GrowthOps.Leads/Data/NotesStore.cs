using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Leads.Data;

/// <summary>Notes of the tenant (under row-level security).</summary>
public sealed class NotesStore(UnitOfWork unitOfWork)
{
    const string Select = "select id, contact_id, deal_id, body, author_id, created_at, updated_at from leads.notes n";

    public Task InsertAsync(Note note, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.notes (tenant_id, id, contact_id, deal_id, body, author_id, created_at, updated_at)
            values (leads.current_tenant(), @Id, @ContactId, @DealId, @Body, @AuthorId, @CreatedAt, @UpdatedAt)
            """, note, ct));

    public Task<Note?> GetAsync(Guid id, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Note?>(unitOfWork.Command(Select + " where n.id = @id", new { id }, ct));

    /// <summary>The notes of a contact or a deal, newest first (at most <paramref name="limit"/>).</summary>
    public async Task<IReadOnlyList<Note>> ListAsync(Guid? contactId, Guid? dealId, int limit, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<Note>(unitOfWork.Command(Select + """
             where (@contactId::uuid is null or n.contact_id = @contactId) and (@dealId::uuid is null or n.deal_id = @dealId)
             order by n.created_at desc, n.id desc limit @limit
            """, new { contactId, dealId, limit }, ct))).AsList();

    public async Task<bool> DeleteAsync(Guid id, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from leads.notes where id = @id", new { id }, ct)) == 1;
}
