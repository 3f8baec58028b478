using GrowthOps.Contracts.Email;
using GrowthOps.Cortex;
using GrowthOps.Email;
using GrowthOps.Leads;

namespace GrowthOps.EndToEnd.Tests.Infrastructure;

/// <summary>
/// Leads, Email and Cortex in one process, each on its own PostgreSQL database, all on one RabbitMQ virtual host, Email
/// sending over SMTP to the tests' smtp4dev. The consumers start first (Email, Cortex) so that their queues are bound before
/// Leads publishes anything. One per test class.
/// </summary>
public sealed class LeadsEmailAndCortex : IAsyncLifetime
{
    readonly List<TestDatabase> databases = [];

    public TestVirtualHost VirtualHost { get; private set; } = null!;
    public TestBus Bus { get; private set; } = null!;
    public InProcessService<LeadsOptions> Leads { get; private set; } = null!;
    public InProcessService<EmailOptions> Email { get; private set; } = null!;
    public InProcessService<CortexOptions> Cortex { get; private set; } = null!;
    public MailCatcher Mail { get; } = new();

    public async Task InitializeAsync()
    {
        VirtualHost = await TestVirtualHost.CreateAsync("endtoend");
        Bus = await TestBus.StartAsync(VirtualHost, typeof(EmailSent));
        Email = new InProcessService<EmailOptions>(await Database("email"), VirtualHost, new Dictionary<string, string?>
        {
            ["Email:Smtp:Host"] = TestEnvironment.SmtpHost,
            ["Email:Smtp:Port"] = TestEnvironment.SmtpPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Email:PublicBaseUrl"] = "http://email.test",
        });
        await Email.ReadyAsync();
        Cortex = new InProcessService<CortexOptions>(await Database("cortex"), VirtualHost, new Dictionary<string, string?>
        {
            ["Cortex:SecretsKey"] = Convert.ToBase64String("growthops-test-cortex-secrets-32"u8.ToArray()),
        });
        await Cortex.ReadyAsync();
        Leads = new InProcessService<LeadsOptions>(await Database("leads"), VirtualHost, new Dictionary<string, string?>
        {
            ["Leads:SecretsKey"] = Convert.ToBase64String("growthops-test-secrets-key-32byt"u8.ToArray()),
        });
        await Leads.ReadyAsync();
    }

    async Task<TestDatabase> Database(string service)
    {
        var database = await TestDatabase.CreateAsync(service);
        databases.Add(database);
        return database;
    }

    public async Task DisposeAsync()
    {
        Mail.Dispose();
        await Bus.DisposeAsync();
        await Leads.DisposeAsync();
        await Cortex.DisposeAsync();
        await Email.DisposeAsync();
        await VirtualHost.DisposeAsync();
        foreach (var database in databases)
            await database.DisposeAsync();
    }
}
