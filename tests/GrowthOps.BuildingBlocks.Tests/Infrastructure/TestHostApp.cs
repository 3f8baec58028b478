using System.Net.Http.Headers;
using MassTransit;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

using GrowthOps.Testing;

namespace GrowthOps.BuildingBlocks.Tests.Infrastructure;

/// <summary>
/// The test host in process, on a real PostgreSQL database and RabbitMQ virtual host; on a real Kestrel port when
/// <paramref name="kestrel"/> (for what only a real server shows: the raw request target, its limits, header decoding).
/// </summary>
public sealed class TestHostApp : WebApplicationFactory<Program>
{
    readonly Dictionary<string, string?> settings;
    readonly bool kestrel;

    public TestHostApp(Dictionary<string, string?> settings, bool kestrel = false)
    {
        this.settings = settings;
        this.kestrel = kestrel;
        if (kestrel)
            UseKestrel(0);
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
    }

    protected override void ConfigureClient(HttpClient client)
    {
        base.ConfigureClient(client);
        // The factory's clients would otherwise aim at port 80.
        if (kestrel)
            client.BaseAddress = ServerAddress;
    }

    /// <summary>The port Kestrel picked.</summary>
    public Uri ServerAddress
    {
        get
        {
            if (!kestrel)
                throw new InvalidOperationException("An in-memory test host has no address; create it with kestrel: true.");
            StartServer();
            return CarelessClient.ServerAddressOf(Services);
        }
    }

    public IBus Bus => Services.GetRequiredService<IBus>();

    public HttpClient ClientFor(Guid? tenantId)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenantId));
        return client;
    }

    /// <summary>A <see cref="CarelessClient"/> on a Kestrel host, with a token for <paramref name="tenantId"/> when given.</summary>
    public HttpClient CarelessClientFor(Guid? tenantId)
    {
        var client = CarelessClient.Create(ServerAddress);
        if (tenantId is not null)
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", TestTokens.For(tenantId));
        return client;
    }

    /// <summary>Starts the host and waits until its database and broker checks pass.</summary>
    public async Task<TestHostApp> StartAsync()
    {
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            "the test host becomes ready");
        return this;
    }
}
