using System.Text;
using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Paging;

namespace GrowthOps.Leads.Data;

/// <summary>Every command another service sent Leads, once per command id, with its outcome (<c>leads.command_log</c>).</summary>
public sealed class CommandLogStore(UnitOfWork unitOfWork)
{
    public sealed record Entry(
        Guid CommandId, string Command, Guid? ContactId, string? ContactEmail, string RequestedBy, string Status, string? Reason, string? Detail,
        int? HttpStatus, Guid? ObjectId, string PayloadJson, DateTime ReceivedAt);

    const string Select = """
        select command_id, command, contact_id, contact_email, requested_by, status, reason, detail, http_status, object_id, payload::text as payload_json,
               received_at
        from leads.command_log
        """;

    public Task<Entry?> GetAsync(Guid commandId, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<Entry?>(unitOfWork.Command(
            Select + " where tenant_id = leads.current_tenant() and command_id = @commandId", new { commandId }, ct));

    /// <summary>False when the command id is already logged (a concurrent delivery of the same command got there first).</summary>
    public async Task<bool> TryInsertAsync(Entry entry, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into leads.command_log (tenant_id, command_id, command, contact_id, contact_email, requested_by, status, reason, detail, http_status,
                                           object_id, payload, received_at)
            values (leads.current_tenant(), @CommandId, @Command, @ContactId, @ContactEmail, @RequestedBy, @Status, @Reason, @Detail, @HttpStatus,
                    @ObjectId, @PayloadJson::jsonb, @ReceivedAt)
            on conflict (tenant_id, command_id) do nothing
            """, entry, ct)) == 1;

    /// <summary>Failed commands, newest first; optionally of one command type or one sender (<c>requested_by</c> prefix).</summary>
    public async Task<Page<Entry>> FailuresAsync(string? command, string? requestedBy, PageRequest page, CancellationToken ct)
    {
        var sql = new StringBuilder(Select).Append(" where tenant_id = leads.current_tenant() and status = 'failed'");
        var args = new DynamicParameters();
        if (command is not null)
        {
            sql.Append(" and command = @command");
            args.Add("command", command);
        }

        if (requestedBy is not null)
        {
            sql.Append(" and starts_with(requested_by, @requestedBy)");
            args.Add("requestedBy", requestedBy);
        }

        Keyset.Append(sql, args, page, "received_at", "command_id");
        var rows = (await unitOfWork.Connection.QueryAsync<Entry>(unitOfWork.Command(sql.ToString(), args, ct))).ToList();
        return Keyset.Page(rows, page, r => (r.ReceivedAt, r.CommandId));
    }
}
