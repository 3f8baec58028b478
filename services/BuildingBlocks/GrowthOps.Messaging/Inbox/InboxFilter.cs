using System.Diagnostics.Metrics;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using MassTransit;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace GrowthOps.Messaging.Inbox;

/// <summary>
/// Exactly-once effects in one transaction per message: insert the (message, consumer) inbox row, run the consumer or saga
/// with its business writes and outgoing messages in the same transaction, commit. A redelivered or duplicated message finds
/// the row and is acknowledged without running again; a concurrent duplicate waits on the row's unique index until the first
/// commits (then skips) or rolls back (then runs). The transaction is scoped to the message's tenant.
/// </summary>
sealed class InboxFilter<TMessage>(IConsumeScopeProvider scopeProvider, OutboxConsumeOptions options, string consumerName, Type precheckType)
    : IFilter<ConsumeContext<TMessage>>
    where TMessage : class
{
    static readonly Meter Meter = new("GrowthOps.Messaging");
    static readonly Counter<long> Duplicates = Meter.CreateCounter<long>("growthops.inbox.duplicates", "{message}", "Redelivered messages skipped by the inbox");
    static readonly Counter<long> Prechecked = Meter.CreateCounter<long>("growthops.inbox.prechecked", "{message}",
        "Messages acknowledged without a transaction because the consumer's precheck found nothing to do");

    public void Probe(ProbeContext context) => context.CreateFilterScope("pg-inbox").Add("consumer", consumerName);

    public async Task Send(ConsumeContext<TMessage> context, IPipe<ConsumeContext<TMessage>> next)
    {
        await using var scope = await scopeProvider.GetScope(context);
        var unitOfWork = Require<UnitOfWork>(scope);
        var signals = Require<MessagingSignals>(scope);
        var schema = Require<IOptions<PostgresOptions>>(scope).Value.Schema;
        var messageId = context.MessageId ?? throw new MessageException(typeof(TMessage), "A MessageId is required for exactly-once consumption.");

        if (Require<IServiceProvider>(scope).GetService(precheckType) is IInboxPrecheck<TMessage> precheck
            && !await precheck.MayHaveEffectsAsync(context.Message, context.CancellationToken))
        {
            Prechecked.Add(1);
            // Consumed (with nothing to do): without this the endpoint would move the message to its _skipped queue.
            await context.NotifyConsumed(context, TimeSpan.Zero, consumerName);
            return;
        }

        var tenantId = TenantOfMessage<TMessage>.Get(context.Message);
        if (tenantId is { } tenant)
            Require<CurrentTenant>(scope).Set(tenant);

        try
        {
            var insert = new NpgsqlBatchCommand($"""
                insert into {schema}.inbox_state (message_id, consumer_id, consumer) values ($1, $2, $3)
                on conflict (message_id, consumer_id) do nothing
                """)
            {
                Parameters = { Outbox.OutboxStore.P(messageId), Outbox.OutboxStore.P(options.ConsumerId), Outbox.OutboxStore.P(consumerName) },
            };
            if (await unitOfWork.BeginWithAsync(tenantId, insert, context.CancellationToken) == 0)
            {
                await unitOfWork.RollbackAsync();
                Duplicates.Add(1);
                scope.GetService<ILogger<InboxFilter<TMessage>>>()?.LogDebug("Skipped duplicate {MessageId} for {Consumer}", messageId, consumerName);
                await context.NotifyConsumed(context, TimeSpan.Zero, consumerName);
                return;
            }

            var outboxContext = new InboxConsumeContext<TMessage>(scope.Context, options, Require<IServiceProvider>(scope), unitOfWork, signals, schema);
            // Code in the scope that injects IPublishEndpoint/ISendEndpointProvider must publish through the outbox too.
            using (scope.PushConsumeContext(outboxContext))
                await next.Send(outboxContext);
            await unitOfWork.CommitAsync(context.CancellationToken);
        }
        catch (Exception e)
        {
            await unitOfWork.RollbackAsync(e);
            throw;
        }
    }

    static T Require<T>(IConsumeScopeContext<TMessage> scope)
        where T : class =>
        scope.GetService<T>() ?? throw new ConsumerException($"{typeof(T).Name} is not registered: call AddPostgres and AddMessaging.");
}
