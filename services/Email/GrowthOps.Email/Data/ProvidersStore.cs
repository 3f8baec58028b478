using Dapper;
using GrowthOps.Persistence;

namespace GrowthOps.Email.Data;

/// <summary>The tenant's own provider (<c>email.providers</c>), in the current unit of work.</summary>
public sealed class ProvidersStore(UnitOfWork unitOfWork)
{
    public Task<ProviderRow?> GetAsync(CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleOrDefaultAsync<ProviderRow?>(unitOfWork.Command("""
            select kind, message_stream, broadcast_stream, server_token, host, port, username, password, use_tls, from_default, updated_at
            from email.providers where tenant_id = email.current_tenant()
            """, cancellationToken: ct));

    /// <summary>Replaces the tenant's settings with <paramref name="row"/> (its <c>UpdatedAt</c> is ignored: now).</summary>
    public Task<ProviderRow> SaveAsync(ProviderRow row, CancellationToken ct) =>
        unitOfWork.Connection.QuerySingleAsync<ProviderRow>(unitOfWork.Command("""
            insert into email.providers (tenant_id, kind, message_stream, broadcast_stream, server_token, host, port, username, password, use_tls, from_default)
            values (email.current_tenant(), @Kind, @MessageStream, @BroadcastStream, @ServerToken, @Host, @Port, @Username, @Password, @UseTls, @FromDefault)
            on conflict (tenant_id) do update set
              kind = excluded.kind, message_stream = excluded.message_stream, broadcast_stream = excluded.broadcast_stream,
              server_token = excluded.server_token, host = excluded.host, port = excluded.port, username = excluded.username,
              password = excluded.password, use_tls = excluded.use_tls, from_default = excluded.from_default, updated_at = now()
            returning kind, message_stream, broadcast_stream, server_token, host, port, username, password, use_tls, from_default, updated_at
            """, row, ct));

    public async Task<bool> DeleteAsync(CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from email.providers where tenant_id = email.current_tenant()",
            cancellationToken: ct)) > 0;
}
