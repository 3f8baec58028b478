using GrowthOps.Messaging.Inbox;
using GrowthOps.Messaging.Outbox;
using GrowthOps.Messaging.Scheduling;
using GrowthOps.Persistence;
using GrowthOps.ServiceDefaults;
using MassTransit;
using MassTransit.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrowthOps.Messaging;

public static class MessagingExtensions
{
    /// <summary>
    /// MassTransit on RabbitMQ with PostgreSQL persistence in the service's schema: publishing from requests goes through
    /// the transactional outbox; every consumer and saga runs behind the inbox (one transaction per message); the durable
    /// scheduler serves saga schedules and scheduled redelivery; retries are immediate, then scheduled redelivery, then the
    /// <c>_error</c> queue. Call after <c>AddPostgres</c>; register consumers and sagas in <paramref name="configure"/>.
    /// </summary>
    public static TBuilder AddMessaging<TBuilder>(this TBuilder builder, string serviceName, Action<IBusRegistrationConfigurator>? configure = null)
        where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddOptions<MessagingOptions>().BindConfiguration(MessagingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<RabbitMqOptions>().BindConfiguration(RabbitMqOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        var messaging = builder.Configuration.GetSection(MessagingOptions.Section).Get<MessagingOptions>() ?? new MessagingOptions();
        var prefix = string.IsNullOrWhiteSpace(messaging.EndpointPrefix) ? serviceName : messaging.EndpointPrefix;
        var schedulerQueue = $"{prefix}-scheduler";
        var schedulerAddress = new Uri($"queue:{schedulerQueue}");

        builder.Services.AddSingleton(new MigrationSource(typeof(MessagingExtensions).Assembly, -50));
        builder.Services.AddSingleton(new MessagingSignals
        {
            NotifyOtherProcesses = !messaging.EnableOutboxRelay,
            LocalSchedulerQueue = messaging.EnableScheduler ? schedulerQueue : null,
        });
        builder.Services.AddHostedService<NotificationListener>();
        if (messaging.EnableOutboxRelay)
            builder.Services.AddHostedService<OutboxRelay>();
        if (messaging.EnableScheduler)
            builder.Services.AddHostedService<SchedulerDeliveryService>();
        builder.Services.AddHostedService<MessagingCleanupService>();
        builder.Services.AddHealthChecks().AddCheck<RabbitMqHealthCheck>("rabbitmq", tags: [Extensions.ReadyTag]);

        builder.Services.AddMassTransit(x =>
        {
            x.SetEndpointNameFormatter(new KebabCaseEndpointNameFormatter(prefix, false));
            // Self-hosted: nothing leaves the customer's network (MassTransit 8.5 reports usage to masstransit.io by default,
            // and logs a warning for every failed attempt where there is no internet).
            x.DisableUsageTelemetry();
            // MassTransit's own check stays out of /health/ready (an empty tag set means its defaults, "ready" among them):
            // RabbitMqHealthCheck reports the bus there, degraded rather than unhealthy when only some endpoints are down.
            x.ConfigureHealthCheckOptions(o =>
            {
                o.Tags.Clear();
                o.Tags.Add("masstransit");
            });
            x.ReplaceScoped<IScopedBusContextProvider<IBus>, PgScopedBusContextProvider>();
            x.AddMessageScheduler(schedulerAddress);

            if (messaging.EnableScheduler)
                x.AddConsumer<ScheduleMessageConsumer>().Endpoint(e =>
                {
                    e.Name = schedulerQueue;
                    // Scheduling commands are sent to this queue, never published: no exchange bindings.
                    e.ConfigureConsumeTopology = false;
                });

            configure?.Invoke(x);

            x.AddConfigureEndpointsCallback((context, name, endpoint) =>
            {
                var o = context.GetRequiredService<IOptions<MessagingOptions>>().Value;
                var rabbit = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                endpoint.PrefetchCount = o.PrefetchCount;
                endpoint.ConcurrentMessageLimit = o.ConcurrentMessageLimit;
                if (rabbit.QuorumQueues && endpoint is IRabbitMqReceiveEndpointConfigurator rabbitEndpoint)
                    rabbitEndpoint.SetQuorumQueue();
                if (name == schedulerQueue)
                {
                    // Scheduling commands (scheduled redelivery among them) carry messages that exist nowhere else: if storing one
                    // fails, it must wait for the database rather than go to the _error queue. Interval retries, not scheduled
                    // redelivery (which would need this very queue), long enough to outlast a database restart.
                    endpoint.UseMessageRetry(r => r.Exponential(o.SchedulerRetryLimit, o.SchedulerRetryMinInterval, o.SchedulerRetryMaxInterval,
                        o.SchedulerRetryMinInterval));
                    return;
                }

                // Outermost first: redelivery wraps retry wraps the inbox, so each retry re-runs the whole transaction.
                if (o.EffectiveRedeliveryIntervals is { Length: > 0 } intervals)
                    endpoint.UseScheduledRedelivery(r =>
                    {
                        r.Intervals(intervals);
                        // MassTransit gives a redelivered message a new id by default; the inbox needs the original, or a copy
                        // that was also delivered otherwise (a relay resend after an outage) would have its effects twice.
                        if (r is IRedeliveryConfigurator redelivery)
                            redelivery.ReplaceMessageId = false;
                    });
                if (o.ImmediateRetries > 0)
                    endpoint.UseMessageRetry(r => r.Immediate(o.ImmediateRetries));
                var inbox = new InboxSpecificationObserver(endpoint, context);
                endpoint.ConnectConsumerConfigurationObserver(inbox);
                endpoint.ConnectSagaConfigurationObserver(inbox);
            });

            x.UsingRabbitMq((context, cfg) =>
            {
                var rabbit = context.GetRequiredService<IOptions<RabbitMqOptions>>().Value;
                cfg.Host(rabbit.Host, rabbit.Port, rabbit.VirtualHost, h =>
                {
                    h.Username(rabbit.Username);
                    h.Password(rabbit.Password);
                    if (rabbit.UseSsl)
                        h.UseSsl(_ => { });
                });
                cfg.UseMessageScheduler(schedulerAddress);
                cfg.ConfigureEndpoints(context);
            });
        });
        return builder;
    }
}
