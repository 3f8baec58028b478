using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;
using Npgsql;

namespace GrowthOps.Segments.Data;

/// <summary>The tenant's read-model rebuilds and the pages each has received (<c>segments.read_model_rebuilds</c>).</summary>
public sealed class RebuildsStore(UnitOfWork unitOfWork)
{
    /// <summary>What a page's arrival tells: whether it completed its rebuild, and the times the completion works from.</summary>
    public sealed record PageReceipt(bool Completes, DateTimeOffset AsOf, DateTimeOffset? RequestedAt);

    const string Columns = """
        request_id, requested_by, requested_at, page_size, (select count(distinct p) from unnest(pages) p)::int, last_page, contacts, min_as_of,
        last_page_at, completed_at, tombstoned
        """;

    /// <summary>Records a rebuild asked for here; its <c>requested_at</c> is the database's clock, like <c>applied_at</c>.</summary>
    public async Task<Rebuild> AddAsync(Guid requestId, string requestedBy, int pageSize, CancellationToken ct)
    {
        await using var command = Command($"""
            insert into segments.read_model_rebuilds (tenant_id, request_id, requested_by, requested_at, page_size)
            values (segments.current_tenant(), $1, $2, now(), $3)
            returning {Columns}
            """, requestId, requestedBy, pageSize);
        return (await ReadAsync(command, ct))!;
    }

    public async Task<Rebuild?> GetAsync(Guid requestId, CancellationToken ct)
    {
        await using var command = Command($"select {Columns} from segments.read_model_rebuilds where request_id = $1", requestId);
        return await ReadAsync(command, ct);
    }

    /// <summary>The newest rebuild not completed that received a page (or was asked for) within <paramref name="window"/>.</summary>
    public async Task<Rebuild?> RunningAsync(TimeSpan window, CancellationToken ct)
    {
        await using var command = Command($"""
            select {Columns} from segments.read_model_rebuilds
             where tenant_id = segments.current_tenant() and completed_at is null
               and greatest(requested_at, last_page_at) > now() - $1
             order by greatest(requested_at, last_page_at) desc limit 1
            """, window);
        return await ReadAsync(command, ct);
    }

    /// <summary>
    /// Counts a page in (once, however often it comes). The row lock this takes orders the pages of one rebuild: the one
    /// that finds every page from 1 to the last present, counting the others' committed pages, completes it.
    /// </summary>
    public async Task<PageReceipt> ReceivePageAsync(ContactSnapshotsPage page, CancellationToken ct)
    {
        await using var command = Command("""
            insert into segments.read_model_rebuilds as r (tenant_id, request_id, pages, last_page, contacts, min_as_of, last_page_at)
            values (segments.current_tenant(), $1, array[$2::int], case when $3 then $2::int end, $4, $5, now())
            on conflict (tenant_id, request_id) do update set
              pages = case when $2 = any(r.pages) then r.pages else r.pages || $2::int end,
              contacts = r.contacts + case when $2 = any(r.pages) then 0 else excluded.contacts end,
              last_page = coalesce(r.last_page, excluded.last_page),
              min_as_of = least(r.min_as_of, excluded.min_as_of),
              last_page_at = now()
            returning r.completed_at is null and r.last_page is not null
                and (select count(distinct p) from unnest(r.pages) p where p between 1 and r.last_page) = r.last_page,
              r.min_as_of, r.requested_at
            """, page.RequestId, page.Page, page.Last, (long)page.Contacts.Count, page.AsOf);
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new PageReceipt(reader.GetBoolean(0), reader.GetFieldValue<DateTimeOffset>(1),
            reader.IsDBNull(2) ? null : reader.GetFieldValue<DateTimeOffset>(2));
    }

    public async Task CompleteAsync(Guid requestId, int tombstoned, CancellationToken ct)
    {
        await using var command = Command("""
            update segments.read_model_rebuilds set completed_at = now(), tombstoned = $2
             where tenant_id = segments.current_tenant() and request_id = $1
            """, requestId, tombstoned);
        await command.ExecuteNonQueryAsync(ct);
    }

    NpgsqlCommand Command(string sql, params object?[] values)
    {
        var command = new NpgsqlCommand(sql, unitOfWork.Connection, unitOfWork.Transaction);
        foreach (var value in values)
            command.Parameters.Add(SqlParameters.Of(value));
        return command;
    }

    static async Task<Rebuild?> ReadAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var r = await command.ExecuteReaderAsync(ct);
        if (!await r.ReadAsync(ct))
            return null;
        DateTimeOffset? Instant(int i) => r.IsDBNull(i) ? null : r.GetFieldValue<DateTimeOffset>(i);
        int? Int(int i) => r.IsDBNull(i) ? null : r.GetInt32(i);
        return new Rebuild(r.GetGuid(0), r.IsDBNull(1) ? null : r.GetString(1), Instant(2), Int(3), r.GetInt32(4), Int(5), r.GetInt64(6),
            Instant(7), Instant(8), Instant(9), Int(10));
    }
}
