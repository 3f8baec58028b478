using System.Net.Http.Headers;
using GrowthOps.Persistence;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace GrowthOps.Testing;

/// <summary>
/// A service in process on its own PostgreSQL database and RabbitMQ virtual host, with a test bus (<see cref="Bus"/>) that
/// publishes into it and collects <see cref="Collect"/>. One per test class. Its clients hold every call to the service's
/// OpenAPI document (<see cref="ConformingToTheDocument"/>): a response the document does not describe fails the test.
/// The settings, in order: the database, broker and signing key (<see cref="ServiceSettings"/>), quick redelivery, the
/// service's own <see cref="CommonSettings"/>, then a fixture's <see cref="Settings"/>, then <see cref="Configure"/>.
/// </summary>
public abstract class ServiceApp<TProgram> : WebApplicationFactory<TProgram>, IAsyncLifetime where TProgram : class
{
    readonly string service;
    readonly Lazy<Task<OpenApiContract>> contract;

    /// <param name="service">The service's name: its database's and virtual host's prefix, and the name in a readiness timeout.</param>
    protected ServiceApp(string service)
    {
        this.service = service;
        contract = new(() => OpenApiContract.LoadAsync(base.CreateClient()));
    }

    /// <summary>The service's own document, <c>/openapi/v1.json</c>, loaded once.</summary>
    public Task<OpenApiContract> Contract => contract.Value;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;

    /// <summary>Message types the test bus collects (and may publish).</summary>
    protected abstract Type[] Collect { get; }

    /// <summary>Settings every fixture of this service has.</summary>
    protected virtual IDictionary<string, string?> CommonSettings => new Dictionary<string, string?>();

    /// <summary>Extra settings for one fixture.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    public virtual async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync(service);
        VirtualHost = await TestVirtualHost.CreateAsync(service);
        Bus = await TestBus.StartAsync(VirtualHost, Collect);
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            $"the {service} service becomes ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in ServiceSettings.For(Database, VirtualHost))
            builder.UseSetting(key, value);
        builder.UseSetting("Messaging:RedeliveryIntervals:0", "00:00:00.500");
        foreach (var (key, value) in CommonSettings)
            builder.UseSetting(key, value);
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        Configure(builder);
    }

    /// <summary>What a service or a variant of its fixture changes, after the settings.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>Runs <paramref name="work"/> with the service's own services in a committed transaction of <paramref name="tenantId"/>.</summary>
    public Task<T> InTenantAsync<T>(Guid tenantId, Func<IServiceProvider, Task<T>> work) =>
        Services.GetRequiredService<IServiceScopeFactory>().InTransactionAsync(tenantId, work, CancellationToken.None);

    public Task InTenantAsync(Guid tenantId, Func<IServiceProvider, Task> work) =>
        InTenantAsync(tenantId, async services =>
        {
            await work(services);
            return true;
        });

    /// <summary>A client without a token whose calls are checked against the document (hides the factory's unchecked one).</summary>
    public new HttpClient CreateClient() => CreateDefaultClient(new ConformingToTheDocument(() => Contract));

    /// <summary>A client with a token for <paramref name="tenantId"/>; <paramref name="scope"/> (space-separated) limits what it may do.</summary>
    public HttpClient ClientFor(Guid tenantId, string? scope = null)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenantId, scope: scope));
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Bus.DisposeAsync();
        await base.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
        await DisposeMoreAsync();
    }

    /// <summary>What a fixture holds besides the service (a mail catcher…), disposed last.</summary>
    protected virtual ValueTask DisposeMoreAsync() => ValueTask.CompletedTask;
}
