using GrowthOps.Email.Data;
using GrowthOps.Email.Domain.Sending;
using GrowthOps.Email.Domain.Transactional;
using GrowthOps.Email.Domain.Unsubscribing;
using Microsoft.Extensions.Options;

namespace GrowthOps.Email.Apis;

/// <summary>
/// Transactional sends (<see cref="MessagesApi"/>, and the <c>SendEmail</c> consumer), the suppression list
/// (<see cref="SuppressionsApi"/>) and unsubscribing (<see cref="UnsubscribeDecorator"/>, <see cref="UnsubscribeApi"/>).
/// </summary>
public static class TransactionalApi
{
    /// <summary>Registers the unsubscribe decorator: call before any decorator that must see its link (tracking leaves it alone).</summary>
    public static IHostApplicationBuilder AddTransactional(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TransactionalOptions>().BindConfiguration(TransactionalOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<MessagesStore>();
        builder.Services.AddScoped<SuppressionListStore>();
        builder.Services.AddScoped<UnsubscribesStore>();
        builder.Services.AddScoped<TransactionalSender>();
        builder.Services.AddSingleton<UnsubscribeToken>();
        builder.Services.AddSingleton<UnsubscribeDecorator>();
        builder.Services.AddSingleton<IEmailDecorator>(sp => sp.GetRequiredService<UnsubscribeDecorator>());
        return builder;
    }

    /// <summary>The authenticated routes under <paramref name="api"/>, the anonymous unsubscribe links at the root of <paramref name="app"/>.</summary>
    public static WebApplication MapTransactionalApi(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapMessagesApi();
        api.MapSuppressionsApi(app.Services.GetRequiredService<IOptions<TransactionalOptions>>().Value.MaxImportBytes);
        app.MapUnsubscribeLinks();
        return app;
    }
}
