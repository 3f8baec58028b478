using Dapper;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults.Secrets;

namespace GrowthOps.Cortex.Data;

public sealed record SecretInfo(string Name, DateTime CreatedAt, DateTime UpdatedAt);

/// <summary>The tenant's secrets (cortex.secrets), sealed with <see cref="TenantSecretBox"/>: written and named, opened only to make a call.</summary>
public sealed class SecretsStore(UnitOfWork unitOfWork, TenantSecretBox box)
{
    public Task SetAsync(string name, string value, DateTime now, CancellationToken ct) =>
        unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("""
            insert into cortex.secrets (tenant_id, name, sealed, created_at, updated_at) values (cortex.current_tenant(), @name, @sealed, @now, @now)
            on conflict (tenant_id, name) do update set sealed = excluded.sealed, updated_at = excluded.updated_at
            """, new { name, @sealed = box.Seal(value, unitOfWork.TenantId!.Value), now }, ct));

    public async Task<IReadOnlyList<SecretInfo>> ListAsync(CancellationToken ct) =>
        (await unitOfWork.Connection.QueryAsync<SecretInfo>(unitOfWork.Command(
            "select name, created_at, updated_at from cortex.secrets order by name limit 1000", null, ct))).ToList();

    public async Task<bool> DeleteAsync(string name, CancellationToken ct) =>
        await unitOfWork.Connection.ExecuteAsync(unitOfWork.Command("delete from cortex.secrets where name = @name", new { name }, ct)) == 1;

    /// <summary>The named secrets' values (those that exist).</summary>
    public async Task<IReadOnlyDictionary<string, string>> OpenAsync(IReadOnlyCollection<string> names, CancellationToken ct)
    {
        if (names.Count == 0)
            return new Dictionary<string, string>();
        var rows = await unitOfWork.Connection.QueryAsync<(string Name, byte[] Sealed)>(unitOfWork.Command(
            "select name, sealed from cortex.secrets where name = any(@names)", new { names = names.ToArray() }, ct));
        return rows.ToDictionary(r => r.Name, r => box.Open(r.Sealed, unitOfWork.TenantId!.Value));
    }
}
