using GrowthOps.Persistence;
using System.Text.Json;
using MassTransit;
using Npgsql;

namespace GrowthOps.Messaging.Sagas;

/// <summary>
/// Saga rows on one connection and transaction: the message's <c>UnitOfWork</c> when the inbox opened one (so saga state,
/// inbox row and outgoing messages commit together), else a transaction of its own. State is JSONB with a version. Rows carry
/// the message's tenant and live under row-level security like every tenant table: an event of one tenant cannot load,
/// query or change another tenant's instance.
/// </summary>
public sealed class PgSagaSession<TSaga> : IAsyncDisposable
    where TSaga : class, ISaga
{
    static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);
    static readonly Func<TSaga, string?> GetState = BuildStateGetter();
    static readonly System.Reflection.PropertyInfo? VersionProperty = typeof(ISagaVersion).IsAssignableFrom(typeof(TSaga))
        ? typeof(TSaga).GetProperty(nameof(ISagaVersion.Version))
        : null;

    readonly NpgsqlConnection _connection;
    readonly NpgsqlTransaction _transaction;
    readonly bool _owned;
    readonly PgSagaOptions<TSaga> _options;
    readonly UnitOfWork? _unitOfWork;
    readonly Guid? _tenantId;
    readonly string _schema;

    internal PgSagaSession(NpgsqlConnection connection, NpgsqlTransaction transaction, bool owned, PgSagaOptions<TSaga> options, UnitOfWork? unitOfWork,
        Guid? tenantId)
    {
        _unitOfWork = unitOfWork;
        _tenantId = tenantId;
        _schema = options.Table[..Math.Max(0, options.Table.IndexOf('.'))];
        _connection = connection;
        _transaction = transaction;
        _owned = owned;
        _options = options;
    }

    static Func<TSaga, string?> BuildStateGetter()
    {
        var property = typeof(TSaga).GetProperty("CurrentState");
        return property is null ? _ => null : s => property.GetValue(s)?.ToString();
    }

    NpgsqlCommand Command(string sql, params object?[] values)
    {
        var cmd = new NpgsqlCommand(sql, _connection, _transaction);
        foreach (var value in values)
            cmd.Parameters.Add(new NpgsqlParameter { Value = value ?? DBNull.Value });
        return cmd;
    }

    /// <summary>
    /// The message's unit of work when writes may travel with its COMMIT: pessimistic locking (the row is locked since it
    /// was loaded, so the write cannot miss) inside the inbox's transaction. Null otherwise: the write runs at once.
    /// </summary>
    UnitOfWork? DeferredWriter => !_options.Optimistic && _unitOfWork is { IsActive: true } unitOfWork ? unitOfWork : null;

    Guid Tenant => _tenantId ?? throw new InvalidOperationException(
        $"The messages of {typeof(TSaga).Name} must carry a TenantId: no tenant is set for this transaction.");

    static int VersionOf(TSaga saga) => saga is ISagaVersion v ? v.Version : 0;

    static void SetVersion(TSaga saga, int version) => VersionProperty?.SetValue(saga, version);

    public async Task<TSaga?> Load(Guid correlationId, CancellationToken ct)
    {
        if (_found is { } found && found.CorrelationId == correlationId)
        {
            // TryInsert found the instance and already read (and locked) it in the same round trip.
            _found = null;
            return found;
        }

        var lockClause = _options.Optimistic ? "" : " for update";
        await using var cmd = Command($"select data, version from {_options.Table} where correlation_id = $1{lockClause}", correlationId);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
            return null;
        return Loaded(reader.GetString(0), reader.GetInt32(1));
    }

    /// <summary>The state of each instance as loaded (its version and JSON), so an update that changes nothing writes nothing.</summary>
    readonly Dictionary<Guid, (int Version, string Json)> _loaded = [];

    TSaga Loaded(string json, int version)
    {
        var saga = JsonSerializer.Deserialize<TSaga>(json, Json)!;
        SetVersion(saga, version);
        // Re-serialised rather than kept as read: jsonb normalises the text, and the comparison must be like for like.
        _loaded[saga.CorrelationId] = (version, JsonSerializer.Serialize(saga, Json));
        return saga;
    }

    /// <summary>
    /// Insert-on-initial: false when the instance already exists, so MassTransit loads it instead (waiting on the row lock).
    /// This is what turns 20 concurrent duplicate initial events into one instance.
    /// </summary>
    /// <remarks>
    /// Events for an existing instance are the common case, so the insert and the load MassTransit asks for next travel in
    /// one batch: the select runs after the insert gave way (a new snapshot per statement) and locks the row like
    /// <see cref="Load"/> does.
    /// </remarks>
    public async Task<bool> TryInsert(TSaga saga, CancellationToken ct)
    {
        SetVersion(saga, 1);
        var lockClause = _options.Optimistic ? "" : " for update";
        await using var batch = new NpgsqlBatch(_connection, _transaction)
        {
            BatchCommands =
            {
                new NpgsqlBatchCommand($"""
                    insert into {_options.Table} (tenant_id, correlation_id, current_state, version, data) values ($4, $1, $2, 1, $3::jsonb)
                    on conflict (correlation_id) do nothing
                    """)
                {
                    Parameters = { new() { Value = saga.CorrelationId }, new() { Value = (object?)GetState(saga) ?? DBNull.Value }, new() { Value = JsonSerializer.Serialize(saga, Json) },
                        new() { Value = Tenant } },
                },
                new NpgsqlBatchCommand($"select data, version from {_options.Table} where correlation_id = $1{lockClause}")
                {
                    Parameters = { new() { Value = saga.CorrelationId } },
                },
            },
        };
        await using var reader = await batch.ExecuteReaderAsync(ct);
        var inserted = batch.BatchCommands[0].RecordsAffected == 1;
        if (!inserted && await reader.ReadAsync(ct))
            _found = Loaded(reader.GetString(0), reader.GetInt32(1));

        return inserted;
    }

    /// <summary>The instance <see cref="TryInsert"/> found in place of inserting, for the <see cref="Load"/> that follows.</summary>
    TSaga? _found;

    /// <summary>A unique violation here aborts the transaction; the retry then loads the row the other message created.</summary>
    public async Task Insert(TSaga saga, CancellationToken ct)
    {
        SetVersion(saga, 1);
        await using var cmd = Command($"insert into {_options.Table} (tenant_id, correlation_id, current_state, version, data) values ($4, $1, $2, 1, $3::jsonb)",
            saga.CorrelationId, GetState(saga), JsonSerializer.Serialize(saga, Json), Tenant);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    public async Task Update(TSaga saga, CancellationToken ct)
    {
        var expected = VersionOf(saga);
        var json = JsonSerializer.Serialize(saga, Json);
        // An event the instance ignored (MassTransit updates after every event): the row, locked since it was loaded, stays as it is.
        if (!_options.Optimistic && _loaded.TryGetValue(saga.CorrelationId, out var loaded) && loaded.Version == expected && loaded.Json == json)
            return;
        SetVersion(saga, expected + 1);
        if (DeferredWriter is { } unitOfWork)
        {
            // The row is locked since it was loaded, so the version cannot have moved; checked anyway (it costs nothing in the
            // COMMIT's round trip), so a path that loaded without the lock fails loudly instead of losing an update.
            unitOfWork.Defer(new NpgsqlBatchCommand($"""
                with updated as (
                  update {_options.Table} set current_state = $2, version = $4 + 1, data = $3::jsonb, updated = now()
                  where correlation_id = $1 and version = $4 returning 1)
                select {_schema}.expect_one_row((select count(*) from updated), $5)
                """)
            {
                Parameters = { new() { Value = saga.CorrelationId }, new() { Value = (object?)GetState(saga) ?? DBNull.Value }, new() { Value = json },
                    new() { Value = expected }, new() { Value = $"{typeof(TSaga).Name} {saga.CorrelationId} version {expected} was changed concurrently" } },
            });
            return;
        }

        var where = _options.Optimistic ? " and version = $2" : "";
        await using var cmd = Command($"""
            update {_options.Table} set current_state = $3, version = $2 + 1, data = $4::jsonb, updated = now()
            where correlation_id = $1{where}
            """, saga.CorrelationId, expected, GetState(saga), json);
        if (await cmd.ExecuteNonQueryAsync(ct) == 0)
            throw new SagaConcurrencyException($"{typeof(TSaga).Name} {saga.CorrelationId} version {expected} was changed concurrently");
    }

    public async Task Delete(TSaga saga, CancellationToken ct)
    {
        if (DeferredWriter is { } unitOfWork)
        {
            // Deferred like Update, so a deferred update never lands after the delete.
            unitOfWork.Defer(new NpgsqlBatchCommand($"""
                with deleted as (delete from {_options.Table} where correlation_id = $1 and version = $2 returning 1)
                select {_schema}.expect_one_row((select count(*) from deleted), $3)
                """)
            {
                Parameters = { new() { Value = saga.CorrelationId }, new() { Value = VersionOf(saga) },
                    new() { Value = $"{typeof(TSaga).Name} {saga.CorrelationId} was changed concurrently" } },
            });
            return;
        }

        var where = _options.Optimistic ? " and version = $2" : "";
        await using var cmd = Command($"delete from {_options.Table} where correlation_id = $1{where}", saga.CorrelationId, VersionOf(saga));
        if (await cmd.ExecuteNonQueryAsync(ct) == 0 && _options.Optimistic)
            throw new SagaConcurrencyException($"{typeof(TSaga).Name} {saga.CorrelationId} was changed concurrently");
    }

    /// <summary>
    /// Instances for a query-correlated event: the tenant's instances (row-level security), filtered in memory and locked like
    /// <see cref="Load"/> so concurrent events for one instance queue up. Fine for correlation by a property of a few
    /// instances; correlate high-volume events by id instead.
    /// </summary>
    public async Task<List<TSaga>> Query(Func<TSaga, bool> filter, CancellationToken ct)
    {
        var list = new List<TSaga>();
        await using var cmd = Command($"select data, version from {_options.Table}{(_options.Optimistic ? "" : " for update")}");
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            var saga = Loaded(reader.GetString(0), reader.GetInt32(1));
            if (filter(saga))
                list.Add(saga);
        }

        return list;
    }

    public async Task Commit(CancellationToken ct)
    {
        if (_owned)
            await _transaction.CommitAsync(ct);
    }

    public async ValueTask DisposeAsync()
    {
        if (_owned)
        {
            await _transaction.DisposeAsync();
            await _connection.DisposeAsync();
        }
    }
}
