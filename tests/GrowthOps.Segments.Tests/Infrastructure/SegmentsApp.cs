using System.Net.Http.Headers;
using GrowthOps.Contracts.Leads;
using GrowthOps.Contracts.Segments;
using GrowthOps.Persistence;
using GrowthOps.Segments.Domain.ReadModel;
using GrowthOps.Segments.Domain.Segments;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// The Segments service in process on its own PostgreSQL database and RabbitMQ virtual host, with a test bus that publishes
/// Leads' messages into it and collects what it sends Leads, and <see cref="Changes"/> recording what its
/// <see cref="IContactChangeObserver"/> is told. One per test class. Its clients hold every call to the service's OpenAPI
/// document (<see cref="ConformingToTheDocument"/>). Rebuilds tombstone with no grace period, so tests need no clock.
/// </summary>
public class SegmentsApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly Lazy<Task<OpenApiContract>> contract;

    public SegmentsApp() => contract = new(() => OpenApiContract.LoadAsync(base.CreateClient()));

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;
    public RecordedContactChanges Changes { get; } = new();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("segments");
        VirtualHost = await TestVirtualHost.CreateAsync("segments");
        Bus = await TestBus.StartAsync(VirtualHost, typeof(RepublishContactSnapshots), typeof(SegmentMembershipChanged),
            typeof(SegmentMembershipBatchChanged));
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            "the Segments service becomes ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in ServiceSettings.For(Database, VirtualHost))
            builder.UseSetting(key, value);
        builder.UseSetting("Segments:RebuildDeletionGrace", "00:00:00");
        builder.UseSetting("Messaging:RedeliveryIntervals:0", "00:00:00.500");
        builder.ConfigureTestServices(services =>
        {
            services.AddSingleton(Changes);
            services.AddScoped<IContactChangeObserver>(sp => new RecordingContactChangeObserver(sp.GetRequiredService<UnitOfWork>(), Changes,
                ActivatorUtilities.CreateInstance<SegmentMembershipObserver>(sp)));
        });
        Configure(builder);
    }

    /// <summary>What a variant of the app changes (see <see cref="ClockedSegmentsApp"/>), after the settings above.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>Runs <paramref name="work"/> in a transaction of <paramref name="tenantId"/> with the service's own read-model services.</summary>
    public async Task InTenantAsync(Guid tenantId, Func<IServiceProvider, Task> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenantId);
        await work(scope.ServiceProvider);
        await unitOfWork.CommitAsync();
    }

    /// <summary>A client without a token whose calls are checked against the document (hides the factory's unchecked one).</summary>
    public new HttpClient CreateClient() => CreateDefaultClient(new ConformingToTheDocument(() => contract.Value));

    public HttpClient ClientFor(Guid tenantId)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenantId));
        return client;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await Bus.DisposeAsync();
        await base.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
