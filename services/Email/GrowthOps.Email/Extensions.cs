using Dapper;
using GrowthOps.Email.Apis;
using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Templates;
using GrowthOps.Templates;
using GrowthOps.Messaging;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Email;

public static class Extensions
{
    public const string ServiceName = "email";

    public static IHostApplicationBuilder AddEmail(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<EmailOptions>().BindConfiguration(EmailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddPostgres(ServiceName, typeof(Extensions).Assembly);
        builder.AddMessaging(ServiceName, x => x.AddConsumers(typeof(Extensions).Assembly));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<TemplateRenderer>();
        builder.Services.AddScoped<EmailJobsStore>();
        builder.Services.AddScoped<SuppressionsStore>();
        builder.AddRecipients();
        builder.AddCampaigns();
        builder.AddSending();
        builder.AddTemplates();
        builder.AddTransactional();
        builder.AddProviders();
        builder.AddTracking();
        return builder;
    }

    public static WebApplication MapEmailApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/email");
        api.MapRecipientsApi();
        api.MapCampaignsApi();
        api.MapTemplatesApi();
        api.MapProvidersApi();
        app.MapTrackingApi(api);
        app.MapTransactionalApi(api);
        return app;
    }
}
