using GrowthOps.Persistence;
using Npgsql;
using static GrowthOps.Persistence.SqlParameters;

namespace GrowthOps.Email.Data;

/// <summary>The tenant's suppression list, in the current unit of work. Addresses are kept lower-cased.</summary>
public sealed class SuppressionsStore(UnitOfWork unitOfWork)
{
    /// <summary>Suppresses the address (a repeat keeps the first entry and its reason); returns whether it is new.</summary>
    public async Task<bool> AddAsync(string email, string reason, string source, Guid? messageId, Guid? campaignId, string? createdBy,
        CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("""
            insert into email.suppressions (tenant_id, email, reason, source, message_id, campaign_id, created_by)
            values (email.current_tenant(), lower($1), $2, $3, $4, $5, $6)
            on conflict (tenant_id, email) do nothing
            """, unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters = { Of(email.Trim()), Of(reason), Of(source), Of(messageId), Of(campaignId), Of(createdBy) },
        };
        return await command.ExecuteNonQueryAsync(ct) > 0;
    }

    public async Task<bool> IsSuppressedAsync(string email, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            "select exists (select 1 from email.suppressions where tenant_id = email.current_tenant() and email = lower($1))",
            unitOfWork.Connection, unitOfWork.Transaction)
        {
            Parameters = { Of(email.Trim()) },
        };
        return (bool)(await command.ExecuteScalarAsync(ct))!;
    }
}
