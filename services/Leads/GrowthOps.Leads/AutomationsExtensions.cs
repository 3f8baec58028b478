using GrowthOps.Contracts.Leads;
using GrowthOps.Leads.Consumers;
using GrowthOps.Messaging.Inbox;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace GrowthOps.Leads;

/// <summary>Lead state automations (D19): the store, the runner behind <c>LeadStateChangedConsumer</c> and the webhook client.</summary>
public static class AutomationsExtensions
{
    public static IHostApplicationBuilder AddAutomations(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AutomationOptions>().BindConfiguration(AutomationOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<SecretProtector>();
        builder.Services.AddScoped<AutomationsStore>();
        builder.Services.AddScoped<AutomationRunner>();
        builder.Services.AddSingleton<IInboxPrecheck<LeadStateChangedConsumer, LeadStateChanged>, AutomationsPrecheck>();
        builder.Services.AddSingleton<AutomationWebhooks>();

        // Not the standard handler every client gets: its 30 s budget and 2 s backoff are too long for a call made inside the
        // message's transaction. RemoveAllResilienceHandlers is the supported way to drop a handler added by
        // ConfigureHttpClientDefaults, but still marked experimental. Webhooks are delivered at least once; the body's
        // history_id lets receivers deduplicate.
#pragma warning disable EXTEXP0001
        builder.Services.AddHttpClient(AutomationWebhooks.ClientName, client => client.DefaultRequestHeaders.UserAgent.ParseAdd("GrowthOps-Webhooks/1.0"))
            .RemoveAllResilienceHandlers()
#pragma warning restore EXTEXP0001
            .AddResilienceHandler(AutomationWebhooks.ClientName, (pipeline, context) =>
            {
                var o = context.ServiceProvider.GetRequiredService<IOptions<AutomationOptions>>().Value;
                pipeline.AddTimeout(o.WebhookTimeout);
                if (o.WebhookRetries > 0)
                    pipeline.AddRetry(new HttpRetryStrategyOptions
                    {
                        MaxRetryAttempts = o.WebhookRetries,
                        Delay = o.WebhookRetryDelay,
                        BackoffType = DelayBackoffType.Exponential,
                        UseJitter = true,
                    });
                pipeline.AddTimeout(o.WebhookAttemptTimeout);
            });
        return builder;
    }
}
