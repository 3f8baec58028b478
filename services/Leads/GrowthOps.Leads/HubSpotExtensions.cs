using GrowthOps.Leads.Apis;
using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Leads;

/// <summary>HubSpot webhooks and integration settings; called from <c>AddLeads</c> and <c>MapLeadsApi</c>.</summary>
public static class HubSpotExtensions
{
    public static IHostApplicationBuilder AddHubSpot(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<LeadsOptions>()
            .Validate(o => SecretProtector.TryDecodeKey(o.SecretsKey) is not null, $"{LeadsOptions.Section}:{nameof(LeadsOptions.SecretsKey)} must be base64 of 32 bytes.");
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<SecretProtector>();
        builder.Services.AddScoped<HubSpotStore>();
        builder.Services.AddScoped<HubSpotEventProcessor>();
        return builder;
    }

    public static WebApplication MapHubSpotApi(this WebApplication app)
    {
        app.MapHubSpotIntegration();
        app.MapHubSpotWebhooks();
        return app;
    }
}
