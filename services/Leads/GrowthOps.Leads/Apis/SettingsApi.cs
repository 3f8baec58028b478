using GrowthOps.Leads.Data;
using Microsoft.AspNetCore.Http.HttpResults;

namespace GrowthOps.Leads.Apis;

/// <summary>Per-tenant settings of the lead lifecycle.</summary>
public static class SettingsApi
{
    public sealed record Settings(double DormancyPeriodSeconds);

    public static IHostApplicationBuilder AddSettings(this IHostApplicationBuilder builder)
    {
        builder.Services.AddScoped<SettingsStore>();
        return builder;
    }

    public static RouteGroupBuilder MapSettingsApi(this RouteGroupBuilder api)
    {
        var settings = api.MapGroup("/settings").WithTags("Settings");
        settings.MapGet("/", Get);
        settings.MapPut("/", Put);
        return api;
    }

    static async Task<Ok<Settings>> Get(LeadsTransaction tx, SettingsStore store, CancellationToken ct) =>
        TypedResults.Ok(new Settings((await tx.RunAsync(() => store.GetDormancyPeriodAsync(ct), ct)).TotalSeconds));

    /// <summary>A new period applies from each lead's next activity (pending timeouts keep their time).</summary>
    static async Task<Results<Ok<Settings>, ValidationProblem>> Put(Settings settings, LeadsTransaction tx, SettingsStore store, CancellationToken ct)
    {
        // Not finite fails both comparisons; JSON carries no NaN (named literals are off), but a range check must not rely on it.
        if (!double.IsFinite(settings.DormancyPeriodSeconds) || settings.DormancyPeriodSeconds is < 1 or > 3 * 365 * 86400)
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["dormancy_period_seconds"] = ["must be between 1 second and 3 years"],
            });
        await tx.RunAsync(() => store.SetDormancyPeriodAsync(TimeSpan.FromSeconds(settings.DormancyPeriodSeconds), ct), ct);
        return TypedResults.Ok(settings);
    }
}
