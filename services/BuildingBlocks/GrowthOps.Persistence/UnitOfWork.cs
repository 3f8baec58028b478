using System.Data;
using GrowthOps.ServiceDefaults;
using Npgsql;

namespace GrowthOps.Persistence;

/// <summary>
/// The scoped, tenant-scoped database transaction of one request or one consumed message. Business writes, outbox
/// rows, the inbox row and saga state all go through this one connection and transaction, so they commit together.
/// Beginning it sets <c>app.tenant_id</c> for the transaction, which the row-level security policies read: a query
/// that forgets its tenant sees nothing.
/// </summary>
public sealed class UnitOfWork(NpgsqlDataSource dataSource, CurrentTenant currentTenant) : IAsyncDisposable
{
    NpgsqlConnection? _connection;
    NpgsqlTransaction? _transaction;
    List<Action>? _afterCommit;
    List<NpgsqlBatchCommand>? _deferred;
    List<(string Name, int Deferred, int AfterCommit)>? _savepoints;

    public bool IsActive => _transaction is not null;

    public NpgsqlConnection Connection => _connection is not null && _transaction is not null
        ? _connection
        : throw new InvalidOperationException("No transaction: call BeginAsync first.");

    public NpgsqlTransaction Transaction => _transaction ?? throw new InvalidOperationException("No transaction: call BeginAsync first.");

    /// <summary>The tenant of the open transaction; null for infrastructure work that touches no tenant table.</summary>
    public Guid? TenantId { get; private set; }

    /// <summary>Begins a transaction for the current tenant (from the token or the message).</summary>
    public Task BeginAsync(CancellationToken cancellationToken = default) => BeginAsync(currentTenant.Required, cancellationToken);

    /// <summary>Begins a transaction; a null tenant means no tenant rows are visible.</summary>
    public async Task BeginAsync(Guid? tenantId, CancellationToken cancellationToken = default,
        IsolationLevel isolationLevel = IsolationLevel.ReadCommitted)
    {
        if (_transaction is not null)
            throw new InvalidOperationException("A transaction is already open in this unit of work.");

        if (tenantId is { } tenant && !currentTenant.IsSet)
            currentTenant.Set(tenant);
        else if (tenantId is { } t && currentTenant.Id != t)
            throw new InvalidOperationException("The unit of work's tenant differs from the current tenant.");

        _connection ??= await dataSource.OpenConnectionAsync(cancellationToken);
        _transaction = await _connection.BeginTransactionAsync(isolationLevel, cancellationToken);
        TenantId = tenantId;
        if (tenantId is { } id)
        {
            // Npgsql sends BEGIN with this first command: one round trip for both.
            await using var cmd = new NpgsqlCommand("select set_config('app.tenant_id', $1, true)", _connection, _transaction);
            cmd.Parameters.Add(new NpgsqlParameter { Value = id.ToString() });
            await cmd.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// Begins a transaction and runs <paramref name="first"/> in the same round trip as setting the tenant (the inbox's
    /// insert, on the hot path of every consumed message). Returns the rows <paramref name="first"/> affected.
    /// </summary>
    public async Task<int> BeginWithAsync(Guid? tenantId, NpgsqlBatchCommand first, CancellationToken cancellationToken = default)
    {
        if (_transaction is not null)
            throw new InvalidOperationException("A transaction is already open in this unit of work.");
        if (tenantId is { } tenant && !currentTenant.IsSet)
            currentTenant.Set(tenant);

        _connection ??= await dataSource.OpenConnectionAsync(cancellationToken);
        _transaction = await _connection.BeginTransactionAsync(IsolationLevel.ReadCommitted, cancellationToken);
        TenantId = tenantId;
        await using var batch = new NpgsqlBatch(_connection, _transaction);
        if (tenantId is { } id)
            batch.BatchCommands.Add(new NpgsqlBatchCommand("select set_config('app.tenant_id', $1, true)") { Parameters = { new() { Value = id.ToString() } } });
        batch.BatchCommands.Add(first);
        await batch.ExecuteNonQueryAsync(cancellationToken);
        return first.RecordsAffected;
    }

    /// <summary>
    /// Runs <paramref name="work"/> in a transaction for the current tenant and commits it; inside an open transaction
    /// (an <c>Idempotency-Key</c> request, a consumed message) it joins that one, and whoever opened it commits.
    /// </summary>
    public async Task<T> InTransactionAsync<T>(Func<Task<T>> work, CancellationToken cancellationToken = default)
    {
        if (IsActive)
            return await work();
        await BeginAsync(cancellationToken);
        try
        {
            var result = await work();
            await CommitAsync(cancellationToken);
            return result;
        }
        catch (Exception e)
        {
            await RollbackAsync(e);
            throw;
        }
    }

    /// <summary>A command enlisted in the open transaction.</summary>
    public NpgsqlCommand CreateCommand(string sql) => new(sql, Connection, Transaction);

    /// <summary>A Dapper command in the open transaction: <c>unitOfWork.Connection.QueryAsync&lt;T&gt;(unitOfWork.Command(sql, args, ct))</c>.</summary>
    public Dapper.CommandDefinition Command(string sql, object? args = null, CancellationToken cancellationToken = default) =>
        new(sql, args, Transaction, cancellationToken: cancellationToken);

    /// <summary>Runs <paramref name="action"/> once the open transaction has committed (never if it rolls back).</summary>
    public void AfterCommit(Action action)
    {
        if (_transaction is null)
            throw new InvalidOperationException("No transaction: call BeginAsync first.");
        (_afterCommit ??= []).Add(action);
    }

    /// <summary>
    /// Queues a write that nothing in this transaction reads back (an outbox row, a saga's new state): it travels with the
    /// COMMIT, in one round trip. If it fails, nothing commits and <see cref="CommitAsync"/> throws.
    /// </summary>
    public void Defer(NpgsqlBatchCommand command)
    {
        if (_transaction is null)
            throw new InvalidOperationException("No transaction: call BeginAsync first.");
        (_deferred ??= []).Add(command);
    }

    /// <summary>
    /// Sets a savepoint. Use this, not the transaction's own <c>SaveAsync</c>: a rollback to it must also drop the deferred
    /// writes (outbox rows, saga updates) and after-commit actions queued since, or they would still commit.
    /// </summary>
    public async Task SavepointAsync(string name, CancellationToken cancellationToken = default)
    {
        await Transaction.SaveAsync(name, cancellationToken);
        (_savepoints ??= []).Add((name, _deferred?.Count ?? 0, _afterCommit?.Count ?? 0));
    }

    /// <summary>Rolls back to the savepoint: its database writes, and the deferred writes and actions queued since, are undone.</summary>
    public Task RollbackToSavepointAsync(string name, CancellationToken cancellationToken = default) =>
        RollbackToSavepointAsync(name, null, cancellationToken);

    /// <summary>
    /// Rolls back to the savepoint after <paramref name="cause"/> failed the work since it; the transaction goes on (see
    /// <see cref="RollbackAsync(Exception)"/> for what a statement that failed in PostgreSQL leaves behind).
    /// </summary>
    public async Task RollbackToSavepointAsync(string name, Exception? cause, CancellationToken cancellationToken = default)
    {
        var index = SavepointIndex(name);
        await Transaction.RollbackAsync(name, cancellationToken);
        if (cause is not null && FailedInDatabase(cause))
            ForgetPreparedStatements();
        var (_, deferred, afterCommit) = _savepoints![index];
        if (_deferred is { } d && d.Count > deferred)
            d.RemoveRange(deferred, d.Count - deferred);
        if (_afterCommit is { } a && a.Count > afterCommit)
            a.RemoveRange(afterCommit, a.Count - afterCommit);
        // The savepoint itself remains (as in PostgreSQL); the ones set after it are gone.
        _savepoints.RemoveRange(index + 1, _savepoints.Count - index - 1);
    }

    /// <summary>Keeps the work since the savepoint and forgets the savepoint (and the ones set after it).</summary>
    public async Task ReleaseSavepointAsync(string name, CancellationToken cancellationToken = default)
    {
        var index = SavepointIndex(name);
        await Transaction.ReleaseAsync(name, cancellationToken);
        _savepoints!.RemoveRange(index, _savepoints.Count - index);
    }

    int SavepointIndex(string name)
    {
        var index = _savepoints?.FindLastIndex(s => s.Name == name) ?? -1;
        return index >= 0 ? index : throw new InvalidOperationException($"No savepoint '{name}' in this unit of work.");
    }

    public async Task CommitAsync(CancellationToken cancellationToken = default)
    {
        var transaction = Transaction;
        var deferred = _deferred;
        _deferred = null;
        // The deferred writes and COMMIT in one batch: PostgreSQL runs them in order and stops at the first error (the
        // transaction then stays aborted and is rolled back). Npgsql sees the COMMIT and marks the transaction completed.
        // PostgreSQL answers COMMIT in a transaction that already failed (an error someone caught and ignored) with ROLLBACK,
        // not with an error: so at least one statement precedes it, which fails in an aborted transaction ("current
        // transaction is aborted") and makes this method throw instead of reporting a commit that did not happen.
        await using var batch = new NpgsqlBatch(Connection, transaction);
        if (deferred is { Count: > 0 })
            foreach (var command in deferred)
                batch.BatchCommands.Add(command);
        else
            batch.BatchCommands.Add(new NpgsqlBatchCommand("select"));
        batch.BatchCommands.Add(new NpgsqlBatchCommand("commit"));
        await batch.ExecuteNonQueryAsync(cancellationToken);

        await EndAsync();
        if (_afterCommit is { } actions)
        {
            _afterCommit = null;
            foreach (var action in actions)
                action();
        }
    }

    /// <summary>Rolls back deliberately (nothing failed: a duplicate message, a replayed request).</summary>
    public Task RollbackAsync() => RollbackAsync(failedInDatabase: false);

    /// <summary>
    /// Rolls back after <paramref name="cause"/> failed the work. When a statement failed inside PostgreSQL, the connection's
    /// prepared statements are forgotten before it goes back to the pool: Npgsql auto-prepares a statement on its fifth use,
    /// and if that use fails while PostgreSQL binds its parameters (a NUL in a text value, an invalid jsonb escape) Npgsql
    /// records the statement as prepared without ever learning what rows it returns — every later run of the same SQL on
    /// that connection then fails ("Received unexpected backend message DataRow"), whoever runs it. Errors are rare, so the
    /// round trip this costs them is cheap; correct bookkeeping is not negotiable.
    /// </summary>
    public Task RollbackAsync(Exception cause) => RollbackAsync(FailedInDatabase(cause));

    async Task RollbackAsync(bool failedInDatabase)
    {
        if (_transaction is null)
            return;
        try
        {
            await _transaction.RollbackAsync();
        }
        catch (NpgsqlException)
        {
            // The connection is broken; the server rolls the transaction back when it goes.
        }
        catch (InvalidOperationException)
        {
            // Already completed.
        }

        _afterCommit = null;
        _deferred = null;
        if (failedInDatabase)
            ForgetPreparedStatements();
        await EndAsync();
    }

    static bool FailedInDatabase(Exception cause)
    {
        for (var e = cause; e is not null; e = e.InnerException)
            if (e is PostgresException || (e is AggregateException aggregate && aggregate.InnerExceptions.Any(FailedInDatabase)))
                return true;
        return false;
    }

    void ForgetPreparedStatements()
    {
        if (_connection is not { State: ConnectionState.Open } connection)
            return; // Closed or broken: it is not going back to the pool.
        try
        {
            // Sync only (Npgsql has no async form); it is one DEALLOCATE ALL, on the error path alone.
            connection.UnprepareAll();
        }
        catch (NpgsqlException)
        {
            // The connection broke: Npgsql discards it instead of pooling it, which is as good.
        }
    }

    async Task EndAsync()
    {
        _savepoints = null;
        if (_transaction is not null)
            await _transaction.DisposeAsync();
        _transaction = null;
        TenantId = null;
        // Give the connection back to the pool between transactions: a scope may live longer than its work.
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
    }

    public async ValueTask DisposeAsync()
    {
        // A transaction still open here was abandoned by work that failed in a way nobody reported: assume the worst.
        await RollbackAsync(failedInDatabase: true);
        if (_connection is not null)
            await _connection.DisposeAsync();
        _connection = null;
    }
}
