using Dapper;
using GrowthOps.Cortex.Apis;
using GrowthOps.Messaging;
using GrowthOps.Persistence;
using MassTransit;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Cortex;

public static class Extensions
{
    public const string ServiceName = "cortex";

    public static IHostApplicationBuilder AddCortex(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.AddPostgres(ServiceName, typeof(Extensions).Assembly);
        builder.AddMessaging(ServiceName, x => x.AddConsumers(typeof(Extensions).Assembly));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.AddWorkflows();
        return builder;
    }

    public static WebApplication MapCortexApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/cortex");
        api.MapWorkflowsApi();
        api.MapRunsApi();
        api.MapAnalyticsApi();
        api.MapWebhookTriggerManagement();
        app.MapWebhookTriggerReceiver();
        return app;
    }
}
