using GrowthOps.Leads.Data;
using GrowthOps.Leads.Domain;

namespace GrowthOps.Leads;

/// <summary>Predictions, metrics and stats (D19); the endpoints are mapped by <see cref="Apis.InsightsApi.MapInsightsApi"/>.</summary>
public static class InsightsExtensions
{
    public static IHostApplicationBuilder AddInsights(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<PredictionsStore>();
        builder.Services.AddScoped<MetricsStore>();
        builder.Services.AddScoped<PredictionService>();
        builder.Services.AddScoped<ILeadTransitionObserver, PredictionOutcomeObserver>();
        return builder;
    }
}
