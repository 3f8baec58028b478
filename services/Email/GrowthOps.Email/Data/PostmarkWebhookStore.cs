using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>The tenant's Postmark webhook credentials (<c>email.postmark_webhook_credentials</c>), in the current unit of work.</summary>
public sealed class PostmarkWebhookStore(UnitOfWork unitOfWork)
{
    public sealed record Credentials(string Username, byte[] PasswordHash, DateTime CreatedAt, DateTime RotatedAt);

    public async Task<Credentials?> GetAsync(CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select username, password_hash, created_at, rotated_at from email.postmark_webhook_credentials where tenant_id = email.current_tenant()",
            unitOfWork.Connection, unitOfWork.Transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new Credentials(reader.GetString(0), (byte[])reader[1], reader.GetDateTime(2), reader.GetDateTime(3))
            : null;
    }

    /// <summary>Sets the credentials (the first time) or replaces them: the old password stops working at commit.</summary>
    public async Task<Credentials> SaveAsync(string username, byte[] passwordHash, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into email.postmark_webhook_credentials (tenant_id, username, password_hash) values (email.current_tenant(), $1, $2)
            on conflict (tenant_id) do update set username = excluded.username, password_hash = excluded.password_hash, rotated_at = now()
            returning username, password_hash, created_at, rotated_at
            """, unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters = { Of(username), Of(passwordHash) },
        };
        await using var reader = await command.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        return new Credentials(reader.GetString(0), (byte[])reader[1], reader.GetDateTime(2), reader.GetDateTime(3));
    }
}
