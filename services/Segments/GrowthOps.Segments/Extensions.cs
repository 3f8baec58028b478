using Dapper;
using MassTransit;
using GrowthOps.Messaging;
using GrowthOps.Persistence;
using GrowthOps.Segments.Apis;
using GrowthOps.Segments.Data;
using GrowthOps.Conditions;
using GrowthOps.Segments.Domain;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace GrowthOps.Segments;

public static class Extensions
{
    public const string ServiceName = "segments";

    public static IHostApplicationBuilder AddSegments(this IHostApplicationBuilder builder)
    {
        DefaultTypeMap.MatchNamesWithUnderscores = true;
        builder.Services.AddOptions<SegmentsOptions>().BindConfiguration(SegmentsOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.AddPostgres(ServiceName, typeof(Extensions).Assembly);
        builder.AddMessaging(ServiceName, x => x.AddConsumers(typeof(Extensions).Assembly));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<CriteriaCompiler>();
        builder.Services.AddScoped<ContactFactsStore>();
        builder.AddReadModel();
        builder.AddSegmentsApi();
        builder.AddRulesApi();
        builder.AddOverlapsApi();
        builder.AddCampaignsApi();
        builder.AddStatsApi();
        builder.AddSnapshotsApi();
        builder.AddPredictive();
        return builder;
    }

    public static WebApplication MapSegmentsApi(this WebApplication app)
    {
        var api = app.MapGroup("/api/segments");
        api.MapCriteriaApi();
        api.MapReadModelApi();
        api.MapSegmentsApi();
        api.MapRulesApi();
        api.MapOverlapsApi();
        api.MapCampaignsApi();
        api.MapStatsApi();
        api.MapSnapshotsApi();
        api.MapPredictiveApi();
        app.MapSynthexSegmentsApi();
        return app;
    }
}
