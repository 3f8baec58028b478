using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations.Smtp;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Email.Apis;

/// <summary>The sending pipeline's wiring: workers, the batch sender, throttling, the SMTP provider and the default resolver.</summary>
public static class SendingPipeline
{
    public static IHostApplicationBuilder AddSending(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SendingOptions>().BindConfiguration(SendingOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<SmtpOptions>().BindConfiguration(SmtpOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<SendingStore>();
        builder.Services.AddScoped<BatchSender>();
        builder.Services.AddSingleton<SendThrottle>();
        builder.Services.AddSingleton<SmtpProviderFactory>();
        // Tenant settings (the providers part) replace it by registering their own resolver.
        builder.Services.TryAddSingleton<IEmailProviderResolver, PlatformProviderResolver>();
        builder.Services.AddHostedService<SendingWorkers>();
        return builder;
    }
}
