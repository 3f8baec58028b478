using System.Security.Cryptography;
using System.Text;
using MassTransit;
using MassTransit.Configuration;
using MassTransit.DependencyInjection;
using MassTransit.Middleware;

namespace GrowthOps.Messaging.Inbox;

/// <summary>Puts the <see cref="InboxFilter{TMessage}"/> in front of every consumer and saga message on an endpoint.</summary>
sealed class InboxSpecificationObserver(IReceiveEndpointConfigurator endpoint, IRegistrationContext context) :
    IConsumerConfigurationObserver, ISagaConfigurationObserver
{
    public void ConsumerConfigured<TConsumer>(IConsumerConfigurator<TConsumer> configurator)
        where TConsumer : class
    {
    }

    public void ConsumerMessageConfigured<TConsumer, TMessage>(IConsumerMessageConfigurator<TConsumer, TMessage> configurator)
        where TConsumer : class
        where TMessage : class
    {
        if (configurator is not IConsumerMessageConfigurator<TMessage> messageConfigurator)
            throw new ConfigurationException($"The inbox could not be added to {typeof(TConsumer).Name} for {typeof(TMessage).Name}");
        Add<TConsumer, TMessage>(messageConfigurator);
    }

    public void SagaConfigured<TSaga>(ISagaConfigurator<TSaga> configurator)
        where TSaga : class, ISaga
    {
    }

    public void StateMachineSagaConfigured<TInstance>(ISagaConfigurator<TInstance> configurator, SagaStateMachine<TInstance> stateMachine)
        where TInstance : class, ISaga, SagaStateMachineInstance
    {
    }

    public void SagaMessageConfigured<TSaga, TMessage>(ISagaMessageConfigurator<TSaga, TMessage> configurator)
        where TSaga : class, ISaga
        where TMessage : class
    {
        if (configurator is not ISagaMessageConfigurator<TMessage> messageConfigurator)
            throw new ConfigurationException($"The inbox could not be added to {typeof(TSaga).Name} for {typeof(TMessage).Name}");
        Add<TSaga, TMessage>(messageConfigurator);
    }

    void Add<T, TMessage>(IPipeConfigurator<ConsumeContext<TMessage>> configurator)
        where T : class
        where TMessage : class
    {
        // The identity names the queue, the consumer and the message type in full: two consumers (or two message types, when
        // one message is delivered as each of its types) with the same simple name must not share inbox rows.
        var consumerName = $"{endpoint.InputAddress.AbsolutePath.Trim('/').Split('/').Last()}/{TypeCache<T>.ShortName}/{TypeCache<TMessage>.ShortName}";
        var options = new OutboxConsumeOptions
        {
            ConsumerId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes(consumerName)).AsSpan(0, 16)),
            ConsumerType = typeof(T).Name,
        };
        var scopeProvider = new ConsumeScopeProvider(context, (ISetScopedConsumeContext)context);
        configurator.AddPipeSpecification(new FilterPipeSpecification<ConsumeContext<TMessage>>(
            new InboxFilter<TMessage>(scopeProvider, options, consumerName, typeof(IInboxPrecheck<,>).MakeGenericType(typeof(T), typeof(TMessage)))));
    }
}
