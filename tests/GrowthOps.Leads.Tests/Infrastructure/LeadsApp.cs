using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using GrowthOps.Contracts.Leads;
using GrowthOps.ServiceDefaults;
using GrowthOps.Testing.OpenApi;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace GrowthOps.Leads.Tests.Infrastructure;

/// <summary>
/// The Leads service in process on its own PostgreSQL database and RabbitMQ virtual host, with a test bus collecting the
/// events it publishes. One per test class (<see cref="IClassFixture{TFixture}"/>). Its clients hold every call to the
/// service's OpenAPI document (<see cref="ConformingToTheDocument"/>): a response the document does not describe fails the test.
/// </summary>
public class LeadsApp : WebApplicationFactory<Program>, IAsyncLifetime
{
    public static readonly JsonSerializerOptions Json = CreateJson();

    readonly Lazy<Task<OpenApiContract>> contract;

    public LeadsApp() => contract = new(() => OpenApiContract.LoadAsync(base.CreateClient()));

    /// <summary>The service's own document, <c>/openapi/v1.json</c>, loaded once.</summary>
    public Task<OpenApiContract> Contract => contract.Value;

    public TestDatabase Database { get; private set; } = null!;
    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Events { get; private set; } = null!;

    /// <summary>Extra settings for a fixture (short dormancy periods…).</summary>
    protected virtual IDictionary<string, string?> Settings => new Dictionary<string, string?>();

    /// <summary>Event types the test bus collects.</summary>
    protected virtual Type[] Collect =>
    [
        typeof(ContactCreated), typeof(ContactUpdated), typeof(ContactDeleted), typeof(TagAdded), typeof(TagRemoved), typeof(ActivityRecorded),
        typeof(LeadStateChanged), typeof(LeadWon), typeof(LeadLost), typeof(LeadWentDormant), typeof(DealStageChanged), typeof(ContactSnapshotsPage),
        typeof(GrowthOps.Contracts.Cortex.StartWorkflow), typeof(GrowthOps.Contracts.Cortex.EnrollInSequence),
    ];

    public async Task InitializeAsync()
    {
        Database = await TestDatabase.CreateAsync("leads");
        VirtualHost = await TestVirtualHost.CreateAsync("leads");
        Events = await TestBus.StartAsync(VirtualHost, Collect);
        var client = CreateClient();
        await Eventually.Until(async () => (await client.GetAsync("/health/ready")).IsSuccessStatusCode, ok => ok, TimeSpan.FromSeconds(60),
            "the Leads service becomes ready");
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        var settings = new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = Database.ServiceConnectionString,
            ["RabbitMq:Host"] = TestEnvironment.RabbitHost,
            ["RabbitMq:Port"] = TestEnvironment.RabbitPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["RabbitMq:VirtualHost"] = VirtualHost.Name,
            ["RabbitMq:Username"] = TestEnvironment.RabbitUser,
            ["RabbitMq:Password"] = TestEnvironment.RabbitPassword,
            ["Auth:SigningKey"] = TestEnvironment.SigningKey,
            ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
            ["Messaging:RedeliveryIntervals:0"] = "00:00:00.500",
            ["Logging:LogLevel:Default"] = "Warning",
            // Webhook receivers are WireMock servers on this machine; Refusing_forbidden_webhook_targets turns loopback off.
            ["Outbound:AllowHttp"] = "true",
            ["Outbound:AllowLoopback"] = "true",
        };
        foreach (var (key, value) in Settings)
            settings[key] = value;
        foreach (var (key, value) in settings)
            builder.UseSetting(key, value);
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
        await Events.DisposeAsync();
        await base.DisposeAsync();
        await VirtualHost.DisposeAsync();
        await Database.DisposeAsync();
    }

    static JsonSerializerOptions CreateJson()
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        GrowthOps.ServiceDefaults.Extensions.ConfigureJson(options);
        return options;
    }
}
