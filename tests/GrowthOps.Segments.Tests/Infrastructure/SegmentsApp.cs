using System.Net.Http.Headers;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.Segments.Tests.Infrastructure;

/// <summary>
/// The Segments service in process on its own PostgreSQL database and RabbitMQ virtual host. One per test class. Its
/// clients hold every call to the service's OpenAPI document (<see cref="ConformingToTheDocument"/>).
/// </summary>
public sealed class SegmentsApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly Lazy<Task<OpenApiContract>> contract;

    public SegmentsApp() => contract = new(() => OpenApiContract.LoadAsync(base.CreateClient()));

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("segments");
        VirtualHost = await TestVirtualHost.CreateAsync("segments");
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            "the Segments service becomes ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in ServiceSettings.For(Database, VirtualHost))
            builder.UseSetting(key, value);
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
        await base.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }
}
