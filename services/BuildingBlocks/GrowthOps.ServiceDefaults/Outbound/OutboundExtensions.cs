using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace GrowthOps.ServiceDefaults.Outbound;

public static class OutboundExtensions
{
    /// <summary>
    /// A named HttpClient for tenant-supplied URLs (automation webhooks, workflow calls, tenant webhooks), guarded by
    /// <see cref="OutboundHandler"/>, and the <see cref="OutboundPolicy"/> that APIs use to check such a URL before storing it.
    /// Add resilience handlers to the returned builder as usual: they wrap the guard.
    /// </summary>
    public static IHttpClientBuilder AddOutboundHttpClient(this IServiceCollection services, string name)
    {
        if (!services.Any(d => d.ServiceType == typeof(OutboundPolicy)))
        {
            services.AddOptions<OutboundOptions>().BindConfiguration(OutboundOptions.Section).ValidateDataAnnotations()
                .Validate<IHostEnvironment>((o, env) => !env.IsProduction() || (!o.AllowHttp && !o.AllowLoopback),
                    "Outbound:AllowHttp and Outbound:AllowLoopback are for development and tests; they cannot be set in Production.")
                .ValidateOnStart();
            services.TryAddSingleton<OutboundPolicy>();
        }

        return services.AddHttpClient(name).ConfigurePrimaryHttpMessageHandler(sp =>
            new OutboundHandler(sp.GetRequiredService<OutboundPolicy>(), sp.GetRequiredService<IOptions<OutboundOptions>>()));
    }
}
