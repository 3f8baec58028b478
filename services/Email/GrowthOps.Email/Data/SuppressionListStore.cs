using System.Runtime.CompilerServices;
using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;
using Npgsql;

namespace GrowthOps.Email.Data;

/// <summary>
/// The suppression list as its API shows and edits it, in the current unit of work (adding one address and the send-time
/// check are <see cref="SuppressionsStore"/>'s). Addresses are lower-cased on the way in and looked up lower-cased.
/// </summary>
public sealed class SuppressionListStore(UnitOfWork unitOfWork)
{
    public static readonly IReadOnlyList<string> Reasons = ["hard_bounce", "spam_complaint", "unsubscribe", "manual"];

    public sealed record Entry(string Email, string Reason);

    const string Columns = "s.id, s.email, s.reason, s.source, s.message_id, s.campaign_id, s.created_by, s.created_at";

    const string Filtered = $"""
        select {Columns} from email.suppressions s
         where s.tenant_id = email.current_tenant()
           and (@reason::text is null or s.reason = @reason)
           and (@search::text is null or strpos(s.email, lower(@search)) > 0)
        """;

    public async Task<Page<Suppression>> ListAsync(string? reason, string? search, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(Filtered);
        var args = new DynamicParameters(new { reason, search });
        Keyset.Append(sql, args, page, "s.created_at", "s.id");
        var rows = (await unitOfWork.Connection.QueryAsync<Suppression>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, s => (s.CreatedAt, s.Id));
    }

    /// <summary>Every entry the filters keep, newest first, read as the rows arrive (an export of a million addresses holds none in memory).</summary>
    public async IAsyncEnumerable<Suppression> StreamAsync(string? reason, string? search, [EnumeratorCancellation] CancellationToken ct)
    {
        var rows = unitOfWork.Connection.QueryUnbufferedAsync<Suppression>($"{Filtered} order by s.created_at desc, s.id desc",
            new { reason, search }, unitOfWork.Transaction);
        await foreach (var row in rows.WithCancellation(ct))
            yield return row;
    }

    public Task<Suppression?> GetAsync(string email, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Suppression>(unitOfWork.Command(
            $"select {Columns} from email.suppressions s where s.tenant_id = email.current_tenant() and s.email = lower(@email)", new { email = email.Trim() }, ct));

    public async Task<bool> RemoveAsync(string email, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command(
            "delete from email.suppressions where tenant_id = email.current_tenant() and email = lower(@email)", new { email = email.Trim() }, ct)) > 0;

    /// <summary>
    /// Suppresses the addresses (already lower-cased and distinct) in one statement; an address already on the list keeps its
    /// entry. Returns the entries that are new.
    /// </summary>
    public async Task<IReadOnlyList<Entry>> AddManyAsync(IReadOnlyList<Entry> entries, string source, string? createdBy, CancellationToken ct)
    {
        if (entries.Count == 0)
            return [];
        await using var command = new NpgsqlCommand("""
            insert into email.suppressions (tenant_id, email, reason, source, created_by)
            select email.current_tenant(), e.email, e.reason, $3, $4 from unnest($1::text[], $2::text[]) as e(email, reason)
            on conflict (tenant_id, email) do nothing
            returning email, reason
            """, unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters =
            {
                new() { Value = entries.Select(e => e.Email).ToArray() },
                new() { Value = entries.Select(e => e.Reason).ToArray() },
                new() { Value = source },
                new() { Value = (object?)createdBy ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text },
            },
        };
        var added = new List<Entry>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
            added.Add(new Entry(reader.GetString(0), reader.GetString(1)));
        return added;
    }

    /// <summary>The live contact of each address (lower-cased), for the addresses that have one.</summary>
    public async Task<Dictionary<string, Guid>> ContactsByEmailAsync(IReadOnlyList<string> emails, CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<(string Email, Guid ContactId)>(unitOfWork.Command("""
            select distinct on (lower(email)) lower(email), contact_id from email.recipients
             where tenant_id = email.current_tenant() and lower(email) = any(@emails) and not deleted
             order by lower(email), updated_at desc
            """, new { emails = emails.ToArray() }, ct)))
        .ToDictionary(r => r.Email, r => r.ContactId);
}
