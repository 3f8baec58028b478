using System.Net.Http.Headers;
using GrowthOps.Contracts.Email;
using GrowthOps.Contracts.Leads;
using GrowthOps.Persistence;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace GrowthOps.Email.Tests.Infrastructure;

/// <summary>
/// The Email service in process on its own PostgreSQL database and RabbitMQ virtual host, sending over SMTP to the tests'
/// smtp4dev (<see cref="Mail"/> reads what arrived), with a test bus that publishes Leads' and Segments' messages into it
/// and collects what it publishes. One per test class. Its clients hold every call to the service's OpenAPI document.
/// </summary>
public class EmailApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    readonly Lazy<Task<OpenApiContract>> contract;

    public EmailApp() => contract = new(() => OpenApiContract.LoadAsync(base.CreateClient()));

    public Task<OpenApiContract> Contract => contract.Value;

    /// <summary>Extra settings for a fixture.</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Every message type the service publishes, collected by <see cref="Bus"/>.</summary>
    public static readonly Type[] Published =
    [
        typeof(EmailSent), typeof(EmailBatchSent), typeof(EmailFailed), typeof(EmailDelivered), typeof(EmailOpened), typeof(EmailClicked),
        typeof(EmailBounced), typeof(EmailComplained), typeof(EmailReplied), typeof(EmailUnsubscribed), typeof(RepublishContactSnapshots),
    ];

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("email");
        VirtualHost = await TestVirtualHost.CreateAsync("email");
        Bus = await TestBus.StartAsync(VirtualHost, Published);
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            "the Email service becomes ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        foreach (var (key, value) in ServiceSettings.For(Database, VirtualHost))
            builder.UseSetting(key, value);
        builder.UseSetting("Messaging:RedeliveryIntervals:0", "00:00:00.500");
        builder.UseSetting("Email:Smtp:Host", TestEnvironment.SmtpHost);
        builder.UseSetting("Email:Smtp:Port", TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Email:PublicBaseUrl", "http://email.test");
        foreach (var (key, value) in Settings)
            builder.UseSetting(key, value);
        Configure(builder);
    }

    /// <summary>What a variant of the app changes, after the settings above.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    /// <summary>Runs <paramref name="work"/> in a transaction of <paramref name="tenantId"/> with the service's own services.</summary>
    public async Task<T> InTenantAsync<T>(Guid tenantId, Func<IServiceProvider, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var unitOfWork = scope.ServiceProvider.GetRequiredService<UnitOfWork>();
        await unitOfWork.BeginAsync(tenantId);
        var result = await work(scope.ServiceProvider);
        await unitOfWork.CommitAsync();
        return result;
    }

    /// <summary>A client without a token whose calls are checked against the document (hides the factory's unchecked one).</summary>
    public new HttpClient CreateClient() => CreateDefaultClient(new ConformingToTheDocument(() => Contract));

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
        Mail.Dispose();
    }
}
