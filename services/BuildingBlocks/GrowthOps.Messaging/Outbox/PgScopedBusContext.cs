using GrowthOps.Persistence;
using MassTransit;
using MassTransit.Context;
using MassTransit.Transports;
using MassTransit.Clients;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;
using MassTransit.Middleware.Outbox;
using Microsoft.Extensions.Options;

namespace GrowthOps.Messaging.Outbox;

/// <summary>
/// The scoped <see cref="IPublishEndpoint"/>/<see cref="ISendEndpointProvider"/> of an API request or background job:
/// every publish becomes an outbox row in the current <see cref="UnitOfWork"/> (and throws without one).
/// </summary>
sealed class PgScopedBusContext(IBus bus, UnitOfWork unitOfWork, MessagingSignals signals, string schema, IClientFactory clientFactory,
    IServiceProvider provider) : ScopedBusContext, OutboxSendContext
{
    IPublishEndpoint? _publishEndpoint;
    ISendEndpointProvider? _sendEndpointProvider;
    IScopedClientFactory? _scopedClientFactory;

    public Task AddSend<T>(SendContext<T> context) where T : class => OutboxStore.AddSend(unitOfWork, signals, schema, context);

    public object? GetService(Type serviceType) => provider.GetService(serviceType);

    public ISendEndpointProvider SendEndpointProvider => _sendEndpointProvider ??= new OutboxSendEndpointProvider(this, bus);

    public IPublishEndpoint PublishEndpoint => _publishEndpoint ??= new PublishEndpoint(new OutboxPublishEndpointProvider(this, bus));

    public IScopedClientFactory ClientFactory =>
        _scopedClientFactory ??= new ScopedClientFactory(new ClientFactory(new ScopedClientFactoryContext(clientFactory, provider)), null);
}

/// <summary>
/// Replaces MassTransit's <see cref="IScopedBusContextProvider{TBus}"/>: outside a consumer, scoped publishing goes to the
/// outbox; inside one, to the consume context (which the inbox filter has already redirected to the outbox).
/// </summary>
sealed class PgScopedBusContextProvider : IScopedBusContextProvider<IBus>
{
    public PgScopedBusContextProvider(IBus bus, UnitOfWork unitOfWork, MessagingSignals signals, IOptions<Persistence.PostgresOptions> postgres,
        Bind<IBus, IClientFactory> clientFactory, Bind<IBus, IScopedConsumeContextProvider> consumeContextProvider, IServiceProvider provider)
    {
        Context = consumeContextProvider.Value.HasContext
            ? new ConsumeContextScopedBusContext(consumeContextProvider.Value.GetContext(), clientFactory.Value)
            : new PgScopedBusContext(bus, unitOfWork, signals, postgres.Value.Schema, clientFactory.Value, provider);
    }

    public ScopedBusContext Context { get; }
}
