using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Integrations.Smtp;
using GrowthOps.Email.Integrations;

namespace GrowthOps.Email.Apis;

/// <summary>The sending pipeline's wiring: workers, the batch sender, throttling, the SMTP provider (the providers part resolves which provider a tenant uses).</summary>
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
        builder.Services.AddSingleton<ISmtpProviderFactory>(sp => sp.GetRequiredService<SmtpProviderFactory>());
        builder.Services.AddHostedService<SendingWorkers>();
        return builder;
    }
}
