using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace GrowthOps.Persistence.Idempotency;

/// <summary>Stored responses of <c>Idempotency-Key</c> requests, in the request's unit of work (the tenant comes from its transaction).</summary>
public sealed class IdempotencyStore(UnitOfWork unitOfWork, IOptions<PostgresOptions> postgres, IOptions<IdempotencyOptions> options)
{
    readonly string _schema = postgres.Value.Schema;

    /// <summary>
    /// Tries the key's transaction-scoped advisory lock (held until the transaction ends, so by the request executing under
    /// the key) and reads the key's stored response, in one round trip. The read comes after the lock, so a holder that
    /// committed in between is seen.
    /// </summary>
    public async Task<(bool Locked, StoredResponse? Stored)> LockAndFindAsync(string key, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(unitOfWork.Connection, unitOfWork.Transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand("select pg_try_advisory_xact_lock($1)") { Parameters = { new() { Value = LockKey(key) } } },
                new NpgsqlBatchCommand($"""
                    select request, request_hash, status, content_type, location, body from {_schema}.idempotency_keys
                    where tenant_id = {_schema}.current_tenant() and key = $1 and expires_at > now()
                    """) { Parameters = { new() { Value = key } } },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var locked = reader.GetBoolean(0);
        await reader.NextResultAsync(ct);
        if (!await reader.ReadAsync(ct))
            return (locked, null);
        return (locked, new StoredResponse(reader.GetString(0), reader.GetFieldValue<byte[]>(1), reader.GetInt16(2),
            reader.IsDBNull(3) ? null : reader.GetString(3), reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<byte[]>(5)));
    }

    /// <summary>
    /// Stores the response with the COMMIT (see <see cref="UnitOfWork.Defer"/>): it exists if and only if the request's
    /// effects committed. An expired row under the same key is replaced.
    /// </summary>
    public void DeferSave(string key, StoredResponse response) => unitOfWork.Defer(new NpgsqlBatchCommand($"""
        insert into {_schema}.idempotency_keys (tenant_id, key, request, request_hash, status, content_type, location, body, expires_at)
        values ({_schema}.current_tenant(), $1, $2, $3, $4, $5, $6, $7, now() + $8)
        on conflict (tenant_id, key) do update set request = excluded.request, request_hash = excluded.request_hash, status = excluded.status,
          content_type = excluded.content_type, location = excluded.location, body = excluded.body, created = now(), expires_at = excluded.expires_at
        """)
    {
        Parameters =
        {
            new() { Value = key },
            new() { Value = response.Request },
            new() { Value = response.RequestHash },
            new() { Value = (short)response.Status },
            new() { Value = (object?)response.ContentType ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new() { Value = (object?)response.Location ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text },
            new() { Value = response.Body },
            new() { Value = options.Value.Retention },
        },
    });

    /// <summary>Advisory locks are per database, which several services' schemas may share: the schema is part of the key.</summary>
    long LockKey(string key) => BitConverter.ToInt64(
        SHA256.HashData(Encoding.UTF8.GetBytes($"growthops:idempotency:{_schema}:{unitOfWork.TenantId}:{key}")), 0);
}
