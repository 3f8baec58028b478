using System.Net.Http.Headers;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// A service in process on its own database and the shared virtual host. <typeparamref name="TMarker"/> is a public type of the
/// service's assembly (its options): the services' Program classes are internal and share a name. Its clients hold every call
/// to the service's OpenAPI document.
/// </summary>
public sealed class InProcessService<TMarker> : WebApplicationFactory<TMarker>
    where TMarker : class
{
    readonly Dictionary<string, string?> settings;
    readonly Lazy<Task<OpenApiContract>> contract;

    public InProcessService(TestDatabase database, TestVirtualHost vhost, IReadOnlyDictionary<string, string?>? extra = null)
    {
        settings = ServiceSettings.For(database, vhost);
        settings["Messaging:RedeliveryIntervals:0"] = "00:00:00.500";
        foreach (var (key, value) in extra ?? new Dictionary<string, string?>())
            settings[key] = value;
        contract = new(() => OpenApiContract.LoadAsync(CreateClient()));
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

    public HttpClient ClientFor(Guid tenantId)
    {
        var client = CreateDefaultClient(new ConformingToTheDocument(() => contract.Value));
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenantId));
        return client;
    }

    public Task ReadyAsync() =>
        Eventually.Until(async () => (await CreateClient().GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            $"{typeof(TMarker).Assembly.GetName().Name} becomes ready");
}
