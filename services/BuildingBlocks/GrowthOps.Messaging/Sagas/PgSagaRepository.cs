using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.Context;
using MassTransit.Middleware;
using MassTransit.Saga;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Npgsql;

namespace GrowthOps.Messaging.Sagas;

sealed class PgSagaRepositoryContext<TSaga, TMessage>(
    PgSagaSession<TSaga> session,
    ConsumeContext<TMessage> consumeContext,
    ISagaConsumeContextFactory<PgSagaSession<TSaga>, TSaga> factory)
    : ConsumeContextScope<TMessage>(consumeContext, session), SagaRepositoryContext<TSaga, TMessage>
    where TSaga : class, ISaga
    where TMessage : class
{
    readonly ConsumeContext<TMessage> _consumeContext = consumeContext;

    public Task<SagaConsumeContext<TSaga, T>> CreateSagaConsumeContext<T>(ConsumeContext<T> context, TSaga instance, SagaConsumeContextMode mode)
        where T : class => factory.CreateSagaConsumeContext(session, context, instance, mode);

    public Task<SagaConsumeContext<TSaga, TMessage>> Add(TSaga instance) =>
        factory.CreateSagaConsumeContext(session, _consumeContext, instance, SagaConsumeContextMode.Add);

    public async Task<SagaConsumeContext<TSaga, TMessage>> Insert(TSaga instance)
    {
        if (!await session.TryInsert(instance, CancellationToken))
            return null!; // MassTransit then loads the existing instance
        return await factory.CreateSagaConsumeContext(session, _consumeContext, instance, SagaConsumeContextMode.Insert);
    }

    public async Task<SagaConsumeContext<TSaga, TMessage>> Load(Guid correlationId)
    {
        var instance = await session.Load(correlationId, CancellationToken);
        return instance is null ? null! : await factory.CreateSagaConsumeContext(session, _consumeContext, instance, SagaConsumeContextMode.Load);
    }

    public Task Save(SagaConsumeContext<TSaga> context) => session.Insert(context.Saga, CancellationToken);
    public Task Update(SagaConsumeContext<TSaga> context) => session.Update(context.Saga, CancellationToken);
    public Task Delete(SagaConsumeContext<TSaga> context) => session.Delete(context.Saga, CancellationToken);
    public Task Discard(SagaConsumeContext<TSaga> context) => Task.CompletedTask;
    public Task Undo(SagaConsumeContext<TSaga> context) => Task.CompletedTask;
}

sealed class PgSagaQueryContext<TSaga>(PgSagaSession<TSaga> session, CancellationToken cancellationToken)
    : BasePipeContext(cancellationToken), QuerySagaRepositoryContext<TSaga>, LoadSagaRepositoryContext<TSaga>
    where TSaga : class, ISaga
{
    public async Task<TSaga> Load(Guid correlationId) => (await session.Load(correlationId, CancellationToken))!;

    public async Task<SagaRepositoryQueryContext<TSaga>> Query(ISagaQuery<TSaga> query, CancellationToken cancellationToken = default) =>
        new LoadedSagaRepositoryQueryContext<TSaga>(this, await session.Query(query.FilterExpression.Compile(), cancellationToken));
}

/// <summary>MassTransit's saga repository extension point, on PostgreSQL.</summary>
sealed class PgSagaRepositoryContextFactory<TSaga>(
    NpgsqlDataSource dataSource,
    PgSagaOptions<TSaga> options,
    ISagaConsumeContextFactory<PgSagaSession<TSaga>, TSaga> factory,
    UnitOfWork unitOfWork,
    CurrentTenant currentTenant)
    : ISagaRepositoryContextFactory<TSaga>, IQuerySagaRepositoryContextFactory<TSaga>, ILoadSagaRepositoryContextFactory<TSaga>
    where TSaga : class, ISaga
{
    public void Probe(ProbeContext context) => context.Add("persistence", "postgresql-jsonb");

    async Task<PgSagaSession<TSaga>> Open(CancellationToken ct)
    {
        if (unitOfWork.IsActive)
            return new PgSagaSession<TSaga>(unitOfWork.Connection, unitOfWork.Transaction, false, options, unitOfWork, unitOfWork.TenantId);
        // Outside a message's transaction (a saga read from an API request): the current tenant's rows only.
        var connection = await dataSource.OpenConnectionAsync(ct);
        var transaction = await connection.BeginTransactionAsync(ct);
        await using (var tenant = new NpgsqlCommand("select set_config('app.tenant_id', $1, true)", connection, transaction))
        {
            tenant.Parameters.Add(new NpgsqlParameter { Value = currentTenant.Id?.ToString() ?? "" });
            await tenant.ExecuteNonQueryAsync(ct);
        }

        return new PgSagaSession<TSaga>(connection, transaction, true, options, null, currentTenant.Id);
    }

    public async Task Send<T>(ConsumeContext<T> context, IPipe<SagaRepositoryContext<TSaga, T>> next)
        where T : class
    {
        await using var session = await Open(context.CancellationToken);
        await next.Send(new PgSagaRepositoryContext<TSaga, T>(session, context, factory));
        await session.Commit(context.CancellationToken);
    }

    public async Task SendQuery<T>(ConsumeContext<T> context, ISagaQuery<TSaga> query, IPipe<SagaRepositoryQueryContext<TSaga, T>> next)
        where T : class
    {
        await using var session = await Open(context.CancellationToken);
        var instances = await session.Query(query.FilterExpression.Compile(), context.CancellationToken);
        var repositoryContext = new PgSagaRepositoryContext<TSaga, T>(session, context, factory);
        await next.Send(new LoadedSagaRepositoryQueryContext<TSaga, T>(repositoryContext, instances));
        await session.Commit(context.CancellationToken);
    }

    async Task<TResult> Execute<TResult>(Func<PgSagaQueryContext<TSaga>, Task<TResult>> method, CancellationToken ct)
    {
        await using var session = await Open(ct);
        var result = await method(new PgSagaQueryContext<TSaga>(session, ct));
        await session.Commit(ct);
        return result;
    }

    public Task<TResult> Execute<TResult>(Func<LoadSagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod, CancellationToken cancellationToken = default)
        where TResult : class => Execute<TResult>(c => asyncMethod(c), cancellationToken);

    public Task<TResult> Execute<TResult>(Func<QuerySagaRepositoryContext<TSaga>, Task<TResult>> asyncMethod, CancellationToken cancellationToken = default)
        where TResult : class => Execute<TResult>(c => asyncMethod(c), cancellationToken);
}

public static class PgSagaRepositoryExtensions
{
    /// <summary>Stores the saga in <paramref name="table"/> (schema-qualified), pessimistically locked unless <paramref name="optimistic"/>.</summary>
    public static ISagaRegistrationConfigurator<T> PostgresRepository<T>(this ISagaRegistrationConfigurator<T> configurator, string table,
        bool optimistic = false)
        where T : class, ISaga
    {
        var options = new PgSagaOptions<T> { Table = table, Optimistic = optimistic };
        configurator.Repository(r =>
        {
            r.TryAddSingleton(options);
            r.RegisterLoadSagaRepository<T, PgSagaRepositoryContextFactory<T>>();
            r.RegisterQuerySagaRepository<T, PgSagaRepositoryContextFactory<T>>();
            r.RegisterSagaRepository<T, PgSagaSession<T>, SagaConsumeContextFactory<PgSagaSession<T>, T>, PgSagaRepositoryContextFactory<T>>();
        });
        return configurator;
    }
}
