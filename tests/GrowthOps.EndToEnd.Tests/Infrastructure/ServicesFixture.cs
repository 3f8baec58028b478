namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Several services in one process, each on its own PostgreSQL database, all on one RabbitMQ virtual host, as in a deployment;
/// a test bus on the same host collects <see cref="Collect"/>. Subclasses start the services in <see cref="StartServicesAsync"/>,
/// consumers first, so that their queues are bound before a publisher starts; they stop in the reverse order. One per test class.
/// </summary>
public abstract class ServicesFixture : IAsyncLifetime
{
    readonly List<TestDatabase> databases = [];
    readonly List<IAsyncDisposable> services = [];

    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;

    /// <summary>The message types the test bus collects.</summary>
    protected abstract Type[] Collect { get; }

    protected abstract Task StartServicesAsync();

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync("endtoend");
        Bus = await TestBus.StartAsync(VirtualHost, Collect);
        await StartServicesAsync();
    }

    /// <summary>Starts one service on a database of its own, once it answers ready.</summary>
    protected async Task<InProcessService<TMarker>> StartAsync<TMarker>(string service, IReadOnlyDictionary<string, string?>? settings = null)
        where TMarker : class
    {
        var database = await TestDatabase.CreateAsync(service);
        databases.Add(database);
        var started = new InProcessService<TMarker>(database, VirtualHost, settings);
        services.Add(started);
        await started.ReadyAsync();
        return started;
    }

    protected static Dictionary<string, string?> LeadsSettings => new()
    {
        ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
    };

    protected static Dictionary<string, string?> CortexSettings => new()
    {
        ["Cortex:SecretsKey"] = Convert.ToBase64String("growthops-test-cortex-secrets-32"u8.ToArray()),
    };

    /// <summary>Email sending over SMTP to the tests' smtp4dev.</summary>
    protected static Dictionary<string, string?> EmailSettings => new()
    {
        ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
        ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["Email:PublicBaseUrl"] = "http://email.test",
    };

    public virtual async Task DisposeAsync()
    {
        await Bus.DisposeAsync();
        for (var i = services.Count - 1; i >= 0; i--)
            await services[i].DisposeAsync();
        await VirtualHost.DisposeAsync();
        foreach (var database in databases)
            await database.DisposeAsync();
    }
}
